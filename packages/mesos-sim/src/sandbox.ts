/** How much of each of a task's files the emulated agent keeps. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;
const CUT_NOTE = `\n[the emulated Mesos agent keeps the first ${MAX_FILE_BYTES / 1024 / 1024} MiB of a task's output; the rest is not kept]\n`;

/** A task's sandbox: the stdout and stderr files the agent's `/files/read` serves. */
export class Sandbox {
  private readonly files = { stdout: new SandboxFile(), stderr: new SandboxFile() };

  /** `onWrite` hears of every write, so output can be kept as it is written. */
  constructor(private readonly onWrite: () => void = () => {}) {}

  file(name: string): SandboxFile | undefined {
    return name === 'stdout' || name === 'stderr' ? this.files[name] : undefined;
  }

  append(name: 'stdout' | 'stderr', text: string): void {
    this.files[name].append(text);
    this.onWrite();
  }

  /** The file's text, or its first `maxBytes` bytes' worth. */
  text(name: 'stdout' | 'stderr', maxBytes?: number): string {
    return this.files[name].read(0, maxBytes).toString('utf8');
  }
}

export class SandboxFile {
  private chunks: Buffer[] = [];
  private bytes = 0;
  /** When it was last written (ms since the epoch), as a directory listing shows it. */
  modifiedAt = Date.now();

  get size(): number {
    return this.bytes;
  }

  append(text: string): void {
    if (this.bytes >= MAX_FILE_BYTES) return;
    let chunk = Buffer.from(text, 'utf8');
    // An agent's disk holds what a task writes; the emulator's memory holds it, and so
    // keeps no more than a file's worth, saying so once.
    if (this.bytes + chunk.length > MAX_FILE_BYTES)
      chunk = Buffer.concat([
        chunk.subarray(0, MAX_FILE_BYTES - this.bytes),
        Buffer.from(CUT_NOTE),
      ]);
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    this.modifiedAt = Date.now();
  }

  read(offset: number, length?: number): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    const all = this.chunks[0] ?? Buffer.alloc(0);
    return all.subarray(offset, length === undefined ? undefined : offset + length);
  }
}
