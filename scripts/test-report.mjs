// Turns the JSON reports of vitest and Playwright into the counts of the final
// `tests:` line. A suite that breaks before its tests run (a failing beforeAll,
// an import that throws, a global setup that cannot start the stack) counts as
// failed, never as the tests it skipped.

/** @returns {{passed: number, failed: number, skipped: number, broken: string[]}} */
export function countVitest(report) {
  if (!report) return { passed: 0, failed: 1, skipped: 0, broken: ['vitest wrote no report'] };
  const broken = [];
  let skippedByBroken = 0;
  for (const suite of report.testResults ?? []) {
    const tests = suite.assertionResults ?? [];
    if (suite.status !== 'failed' || tests.some((t) => t.status === 'failed')) continue;
    broken.push(`${suite.name}: ${firstLine(suite.message)}`);
    skippedByBroken += tests.filter((t) => t.status !== 'passed').length;
  }
  // Errors outside any test (an unhandled rejection) fail the run without failing a test.
  if (report.success === false && !report.numFailedTests && broken.length === 0)
    broken.push('vitest: errors outside any test');
  return {
    passed: report.numPassedTests ?? 0,
    failed: (report.numFailedTests ?? 0) + broken.length,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0) - skippedByBroken,
    broken,
  };
}

export function countPlaywright(report) {
  if (!report) return { passed: 0, failed: 1, skipped: 0, broken: ['Playwright wrote no report'] };
  const stats = report.stats ?? {};
  const broken = (report.errors ?? []).map((e) => `Playwright: ${firstLine(e.message)}`);
  return {
    passed: (stats.expected ?? 0) + (stats.flaky ?? 0),
    failed: (stats.unexpected ?? 0) + broken.length,
    skipped: stats.skipped ?? 0,
    broken,
  };
}

function firstLine(message) {
  return (
    String(message ?? 'failed')
      .split('\n')
      .find((l) => l.trim()) ?? 'failed'
  );
}
