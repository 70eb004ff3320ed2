/** Prints the run's counts as one plain last line (`N passed, N failed[, N skipped]`), the form CI reads. */
import type { Reporter, TestModule } from 'vitest/node';

export default class PlainSummary implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown> = []): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of modules) {
      const tests = [...module.children.allTests()];
      for (const test of tests) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1;
      }
      // A file that fails before its tests run (an import error, a failing hook) is one failure.
      if (module.state() === 'failed' && !tests.some((t) => t.result().state === 'failed')) failed += 1;
    }
    // Errors outside any test fail the run too; the line must not read as a success.
    failed += unhandledErrors.length;
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
  }
}
