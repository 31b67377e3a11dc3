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

  text(name: 'stdout' | 'stderr'): string {
    return this.files[name].read(0).toString('utf8');
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
    const chunk = Buffer.from(text, 'utf8');
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
