import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';

function capture(level: 'debug' | 'info' = 'info') {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger(level, {}, (line) => void lines.push(JSON.parse(line)));
  return { log, lines };
}

describe('the log', () => {
  it('never writes a secret a caller handed it, at any depth it is usually found', () => {
    const { log, lines } = capture();
    log.child({ token: 'shoal_abc123' }).warn('registry answered 401', {
      password: 'correct horse',
      request: { headers: { authorization: 'Bearer shoal_abc123', cookie: 'shoal_session=s1' } },
      headers: { 'x-registry-auth': 'eyJ1c2VyIjoiYSJ9' },
    });
    const written = JSON.stringify(lines);
    for (const secret of ['shoal_abc123', 'correct horse', 'shoal_session=s1', 'eyJ1c2VyIjoiYSJ9'])
      expect(written).not.toContain(secret);
    expect(lines[0]).toMatchObject({ level: 'warn', msg: 'registry answered 401' });
  });

  it('writes an error as its type, message, stack and cause', () => {
    const { log, lines } = capture();
    const cause = new Error('connection refused');
    log.error('subscribe failed', { error: new RangeError('no master', { cause }) });
    expect(lines[0]).toMatchObject({
      level: 'error',
      error: {
        type: 'RangeError',
        message: expect.stringContaining('no master') as unknown,
        stack: expect.stringContaining('RangeError: no master') as unknown,
      },
    });
    expect(JSON.stringify(lines[0])).toContain('connection refused');
  });

  it('keeps lines below its level out, and child fields in', () => {
    const { log, lines } = capture('info');
    const child = log.child({ component: 'docker-api', requestId: 'r1' });
    child.debug('noise');
    child.info('request', { status: 200 });
    child.child({ tenantId: 't1' }).warn('slow', { ms: 900 });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ component: 'docker-api', requestId: 'r1', status: 200 });
    expect(lines[1]).toMatchObject({ requestId: 'r1', tenantId: 't1', msg: 'slow', ms: 900 });
    expect(typeof lines[0]!.time).toBe('string');
  });
});
