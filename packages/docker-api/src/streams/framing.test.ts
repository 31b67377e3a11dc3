import { describe, expect, it } from 'vitest';
import { unframe } from '../test-support/wire';
import { dockerTimestamp, encodeLine, frame, streamContentType } from './framing';

describe('multiplexed stream framing', () => {
  it('writes the 8-byte header: stream id, three zero bytes, big-endian length', () => {
    const bytes = frame('stderr', Buffer.from('oops\n'));
    expect([...bytes.subarray(0, 8)]).toEqual([2, 0, 0, 0, 0, 0, 0, 5]);
    expect(bytes.subarray(8).toString()).toBe('oops\n');
  });

  it('frames lines without a TTY and leaves them raw with one', () => {
    const line = {
      stream: 'stdout' as const,
      text: 'hi\n',
      at: new Date('2025-01-02T03:04:05.678Z'),
    };
    expect(unframe(encodeLine(line, { tty: false, timestamps: false }))).toEqual([
      { stream: 1, text: 'hi\n' },
    ]);
    expect(encodeLine(line, { tty: true, timestamps: true }).toString()).toBe(
      '2025-01-02T03:04:05.678000000Z hi\n',
    );
  });

  it('formats timestamps with nanoseconds as docker logs -t does', () => {
    expect(dockerTimestamp(new Date('2025-01-02T03:04:05.006Z'))).toBe(
      '2025-01-02T03:04:05.006000000Z',
    );
  });

  it('names the multiplexed media type from API 1.42 on', () => {
    expect(streamContentType(false, '1.50')).toBe('application/vnd.docker.multiplexed-stream');
    expect(streamContentType(false, '1.41')).toBe('application/vnd.docker.raw-stream');
    expect(streamContentType(true, '1.50')).toBe('application/vnd.docker.raw-stream');
  });
});
