import { MesosRecordIOError } from './errors';

// RecordIO frames each record as "<decimal byte length>\n<bytes>". Lengths
// count bytes, not characters, and proxies may re-chunk the stream anywhere,
// so the decoder works on raw bytes and keeps partial records across pushes.

const NEWLINE = 0x0a;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const ascii = new TextEncoder();

/** Records above this size are treated as a corrupt stream rather than buffered. */
export const DEFAULT_MAX_RECORD_BYTES = 256 * 1024 * 1024;

export function encodeRecord(payload: Uint8Array): Uint8Array {
  const header = ascii.encode(`${payload.byteLength}\n`);
  const out = new Uint8Array(header.byteLength + payload.byteLength);
  out.set(header, 0);
  out.set(payload, header.byteLength);
  return out;
}

export class RecordIODecoder {
  private readonly maxRecordBytes: number;
  /** Digits of the length header read so far; null while reading a payload. */
  private header: string | null = '';
  private expected = 0;
  private parts: Uint8Array[] = [];
  private received = 0;
  private failure: MesosRecordIOError | null = null;

  constructor(options: { maxRecordBytes?: number } = {}) {
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  }

  /** Bytes held back waiting for the rest of a record (header digits included). */
  get buffered(): number {
    return this.header === null ? this.received : this.header.length;
  }

  /** Feeds a chunk and returns every record it completes, in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failure) throw this.failure;
    const records: Uint8Array[] = [];
    let offset = 0;
    while (offset < chunk.byteLength) {
      if (this.header !== null) {
        offset = this.readHeader(chunk, offset);
        if (this.header === null && this.expected === 0) records.push(this.finish());
      } else {
        const take = Math.min(this.expected - this.received, chunk.byteLength - offset);
        this.parts.push(chunk.subarray(offset, offset + take));
        this.received += take;
        offset += take;
        if (this.received === this.expected) records.push(this.finish());
      }
    }
    return records;
  }

  private readHeader(chunk: Uint8Array, start: number): number {
    let offset = start;
    let header = this.header ?? '';
    while (offset < chunk.byteLength) {
      const byte = chunk[offset++]!;
      if (byte === NEWLINE) {
        if (header.length === 0) this.fail('empty record length');
        this.header = null;
        this.expected = Number(header);
        this.received = 0;
        return offset;
      }
      if (byte < DIGIT_0 || byte > DIGIT_9) {
        this.fail(
          `invalid byte 0x${byte.toString(16).padStart(2, '0')} in record length "${header}"`,
        );
      }
      header += String.fromCharCode(byte);
      if (Number(header) > this.maxRecordBytes) {
        this.fail(`record length ${header}… exceeds the ${this.maxRecordBytes}-byte limit`);
      }
    }
    this.header = header;
    return offset;
  }

  private finish(): Uint8Array {
    const record = new Uint8Array(this.expected);
    let at = 0;
    for (const part of this.parts) {
      record.set(part, at);
      at += part.byteLength;
    }
    this.parts = [];
    this.received = 0;
    this.expected = 0;
    this.header = '';
    return record;
  }

  private fail(message: string): never {
    this.failure = new MesosRecordIOError(`malformed RecordIO stream: ${message}`);
    throw this.failure;
  }
}
