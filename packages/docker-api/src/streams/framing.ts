import type { LogLine } from '@shoal/core';
import { compareApiVersions } from '../version';

const STREAM_IDS = { stdin: 0, stdout: 1, stderr: 2 } as const;

/**
 * Docker's multiplexed stream frame: 1 byte stream id, 3 zero bytes, a 4-byte
 * big-endian payload length, then the payload. Used whenever the container
 * has no TTY, so clients can tell stdout from stderr.
 */
export function frame(stream: keyof typeof STREAM_IDS, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt8(STREAM_IDS[stream], 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** RFC 3339 with nanoseconds, as `docker logs -t` prints. */
export function dockerTimestamp(at: Date): string {
  return at.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export interface OutputFormat {
  /** The container's Config.Tty: with a TTY, output is one raw stream. */
  tty: boolean;
  timestamps: boolean;
}

export function encodeLine(line: LogLine, format: OutputFormat): Buffer {
  const text = format.timestamps ? `${dockerTimestamp(line.at)} ${line.text}` : line.text;
  const payload = Buffer.from(text, 'utf8');
  return format.tty ? payload : frame(line.stream, payload);
}

/** API 1.42 gave multiplexed output its own media type; older clients expect raw-stream. */
export function streamContentType(tty: boolean, apiVersion: string): string {
  return !tty && compareApiVersions(apiVersion, '1.42') >= 0
    ? 'application/vnd.docker.multiplexed-stream'
    : 'application/vnd.docker.raw-stream';
}
