import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { countPlaywright, countVitest } from './test-report.mjs';

// The final `tests:` line of `npm test` must show a suite that breaks in setup
// as failed: reported as skipped, a run with a dead stack looked nearly green.

const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));
const bin = (name: string) =>
  fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));

function reportOf(command: string, args: (out: string) => string[]) {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'shoal-report-')), 'report.json');
  const run = spawnSync(bin(command), args(out), {
    env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: out },
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(run.status).not.toBe(0);
  return JSON.parse(readFileSync(out, 'utf8')) as unknown;
}

describe('the test report', () => {
  it(
    'counts a vitest suite whose beforeAll fails as failed, not as skipped tests',
    { timeout: 120_000 },
    () => {
      const report = reportOf('vitest', (out) => [
        'run',
        '--root',
        path.join(fixtures, 'broken-setup'),
        '--reporter=json',
        `--outputFile.json=${out}`,
      ]);
      const counts = countVitest(report);
      expect(counts).toMatchObject({ passed: 1, failed: 1, skipped: 0 });
      expect(counts.broken).toEqual([expect.stringContaining('the stack did not start')]);
    },
  );

  it('counts a browser run whose global setup fails as failed', { timeout: 120_000 }, () => {
    const report = reportOf('playwright', () => [
      'test',
      '-c',
      path.join(fixtures, 'broken-stack', 'playwright.config.mjs'),
    ]);
    const counts = countPlaywright(report);
    expect(counts.failed).toBe(1);
    expect(counts.broken).toEqual([expect.stringContaining('the stack did not start')]);
  });

  it('counts a missing report as a failure', () => {
    expect(countVitest(undefined).failed).toBe(1);
    expect(countPlaywright(undefined).failed).toBe(1);
  });
});
