// Adds up the vitest summaries in a test log and prints one closing line,
// `N passed, N failed, N skipped`, the form CI reads.
//
// Usage: node scripts/count-tests.mjs LOG
// Exits 1 when the log has no vitest summary at all, so a run that executed
// no test never looks green.
import { readFileSync } from 'node:fs';

const logPath = process.argv[2];
if (!logPath) {
  console.error('usage: node scripts/count-tests.mjs <log file>');
  process.exit(2);
}

// Vitest prints, per run, a line such as
// "      Tests  2 failed | 87 passed | 3 skipped (92)".
const ansi = /\u001b\[[0-9;]*m/g;
const totals = { passed: 0, failed: 0, skipped: 0 };
let summaries = 0;
for (const rawLine of readFileSync(logPath, 'utf8').split('\n')) {
  const line = rawLine.replace(ansi, '');
  const match = /^(?:\S+:\s+)?\s*Tests\s+(.*)\(\d+\)\s*$/.exec(line);
  if (!match) {
    continue;
  }
  summaries++;
  for (const part of match[1].split('|')) {
    const count = /(\d+)\s+(passed|failed|skipped|todo)/.exec(part.trim());
    if (count) {
      const kind = count[2] === 'todo' ? 'skipped' : count[2];
      totals[kind] += Number(count[1]);
    }
  }
}

console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
if (summaries === 0) {
  console.error('count-tests: no vitest summary found in the log; no test ran.');
  process.exit(1);
}
