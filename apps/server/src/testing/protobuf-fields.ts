// Reads protobuf bytes by field number alone, with no schema: a check that the bytes
// Shoal sends put each value at the field number Mesos's own .proto gives it, which
// decoding with Shoal's .proto could not show.

export interface RawField {
  number: number;
  /** 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
  wireType: number;
  varint?: bigint;
  bytes?: Uint8Array;
}

function varint(buf: Uint8Array, at: number): [bigint, number] {
  let value = 0n;
  let shift = 0n;
  for (;;) {
    const byte = buf[at++];
    if (byte === undefined) throw new Error('truncated varint');
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value, at];
    shift += 7n;
  }
}

export function rawFields(buf: Uint8Array): RawField[] {
  const fields: RawField[] = [];
  let at = 0;
  while (at < buf.length) {
    const [key, next] = varint(buf, at);
    at = next;
    const number = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (wireType === 0) {
      const [value, after] = varint(buf, at);
      fields.push({ number, wireType, varint: value });
      at = after;
    } else if (wireType === 2) {
      const [length, after] = varint(buf, at);
      const end = after + Number(length);
      if (end > buf.length) throw new Error(`field ${number} runs past the message`);
      fields.push({ number, wireType, bytes: buf.subarray(after, end) });
      at = end;
    } else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4;
      fields.push({ number, wireType, bytes: buf.subarray(at, at + size) });
      at += size;
    } else {
      throw new Error(`wire type ${wireType} of field ${number} is not one proto2 uses`);
    }
  }
  return fields;
}

/** The embedded messages reached by following these field numbers from `buf`. */
export function messagesAt(buf: Uint8Array, path: readonly number[]): Uint8Array[] {
  let level = [buf];
  for (const number of path)
    level = level.flatMap((m) =>
      rawFields(m)
        .filter((f) => f.number === number && f.bytes)
        .map((f) => f.bytes!),
    );
  return level;
}

/** The strings at one field number of a message. */
export function stringsAt(buf: Uint8Array, number: number): string[] {
  return rawFields(buf)
    .filter((f) => f.number === number && f.wireType === 2)
    .map((f) => Buffer.from(f.bytes!).toString('utf8'));
}

/** The varints at one field number of a message (enums, bools, integers). */
export function varintsAt(buf: Uint8Array, number: number): bigint[] {
  return rawFields(buf)
    .filter((f) => f.number === number && f.wireType === 0)
    .map((f) => f.varint!);
}
