/** Splits Docker's multiplexed stream back into frames (1 = stdout, 2 = stderr). */
export function unframe(data: Buffer): { stream: number; text: string }[] {
  const frames: { stream: number; text: string }[] = [];
  let offset = 0;
  while (offset + 8 <= data.length) {
    const size = data.readUInt32BE(offset + 4);
    frames.push({
      stream: data.readUInt8(offset),
      text: data.subarray(offset + 8, offset + 8 + size).toString('utf8'),
    });
    offset += 8 + size;
  }
  return frames;
}
