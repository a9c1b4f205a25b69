import { writeSync } from 'node:fs';

// Prints the plain closing line CI reads ("N passed, N failed, N skipped") as the very last line,
// after Jest's own summary (written at process exit, synchronously).
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numRuntimeErrorTestSuites } = results;
    const failed = numFailedTests + numRuntimeErrorTestSuites;
    process.once('exit', () => writeSync(1, `\n${numPassedTests} passed, ${failed} failed, ${numPendingTests} skipped\n`));
  }
}
