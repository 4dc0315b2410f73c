// Prints the closing line CI reads: "N passed, N failed, N skipped". A file that fails to
// load, or an unhandled error, counts as a failure so it can never pass silently.
import { writeFileSync } from 'node:fs';
import type { Reporter, RunnerTestFile, RunnerTask } from 'vitest';

export default class CountReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = [], errors: unknown[] = []): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const visit = (task: RunnerTask) => {
      if (task.type === 'test') {
        if (task.mode === 'skip' || task.mode === 'todo' || task.result?.state === 'skip') skipped++;
        else if (task.result?.state === 'pass') passed++;
        else if (task.result?.state === 'fail') failed++;
        else skipped++;
        return;
      }
      if ('tasks' in task) {
        const before = failed;
        for (const t of task.tasks) visit(t);
        // A suite (or file) that failed in a hook or at import without any failing test.
        if (task.result?.state === 'fail' && failed === before) failed++;
      }
    };
    for (const f of files) visit(f);
    failed += errors.length;
    const line = `${passed} passed, ${failed} failed, ${skipped} skipped`;
    // Under `npm test` the bootstrap prints the line after the global teardown, so it closes the output.
    const file = process.env.CHAINLAKE_TEST_SUMMARY_FILE;
    if (file) writeFileSync(file, `${line}\n`);
    else process.stdout.write(`\n${line}\n`);
  }
}
