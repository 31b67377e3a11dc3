import { InputQueue } from './input';

const CTRL_C = 0x03;
const CTRL_D = 0x04;
const BACKSPACE = 0x08;
const NEWLINE = 0x0a;
const RETURN = 0x0d;
const CTRL_U = 0x15;
const DELETE = 0x7f;

/**
 * The pseudo-terminal a container gets when its ContainerInfo has a TTYInfo, with the
 * settings a new Linux pty starts with: canonical input (a read returns a whole line),
 * echo, CR read as NL, ^C interrupting, ^D ending input on an empty line, ^U and
 * backspace editing the line, and NL written as CR NL. What the process writes and what
 * is echoed both come out of the one master side, as a terminal's output does.
 */
export class Terminal {
  readonly input = new InputQueue();
  rows: number;
  columns: number;
  private line: number[] = [];

  constructor(
    private readonly output: (text: Buffer) => void,
    private readonly interrupt: () => void,
    size: { rows: number; columns: number } = { rows: 24, columns: 80 },
  ) {
    this.rows = size.rows;
    this.columns = size.columns;
  }

  /** Bytes typed at the terminal (the master side's input). */
  type(bytes: Buffer): void {
    let echo: number[] = [];
    const flushEcho = () => {
      if (echo.length > 0) this.output(Buffer.from(echo));
      echo = [];
    };
    for (const byte of bytes) {
      if (byte === RETURN || byte === NEWLINE) {
        echo.push(RETURN, NEWLINE);
        this.line.push(NEWLINE);
        flushEcho();
        this.submit();
      } else if (byte === CTRL_D) {
        flushEcho();
        if (this.line.length === 0) this.input.endOnce();
        else this.submit();
      } else if (byte === CTRL_C) {
        echo.push(0x5e, 0x43, RETURN, NEWLINE); // ^C
        flushEcho();
        this.line = [];
        this.interrupt();
      } else if (byte === DELETE || byte === BACKSPACE) {
        if (this.line.length > 0) {
          this.line.pop();
          echo.push(BACKSPACE, 0x20, BACKSPACE);
        }
      } else if (byte === CTRL_U) {
        for (let i = 0; i < this.line.length; i++) echo.push(BACKSPACE, 0x20, BACKSPACE);
        this.line = [];
      } else if (byte < 0x20 && byte !== 0x09) {
        // Other control characters are echoed as ^X and kept, as with ECHOCTL.
        echo.push(0x5e, byte + 0x40);
        this.line.push(byte);
      } else {
        echo.push(byte);
        this.line.push(byte);
      }
    }
    flushEcho();
  }

  /** What the process writes: LF goes out as CR LF. */
  write(text: string): void {
    if (text !== '') this.output(Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf8'));
  }

  resize(rows: number, columns: number): void {
    this.rows = rows;
    this.columns = columns;
  }

  /** The line typed so far is given to the reading process. */
  private submit(): void {
    this.input.push(Buffer.from(this.line));
    this.line = [];
  }
}
