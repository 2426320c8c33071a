import type { ConformanceReport } from './runner.js';

function formatError(value: number): string {
  return value === 0 ? '0' : value.toExponential(1);
}

/** Formats reports as a plain-text table for a terminal: backend × group. */
export function formatTable(reports: ConformanceReport[]): string {
  const header = ['backend', 'group', 'passed', 'failed', 'max abs err', 'max rel err'];
  const rows = reports.flatMap((report) => report.groups.map((group) => [
    `${report.backend}${report.fused ? '' : ' (composite)'}`,
    group.group,
    String(group.passed),
    String(group.failed),
    formatError(group.maxAbsoluteError),
    formatError(group.maxRelativeError),
  ]));
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** Lists every failed check, one per line. */
export function formatFailures(reports: ConformanceReport[]): string {
  return reports.flatMap((report) => report.results.filter((r) => !r.passed).map((r) =>
    `${report.backend}: ${r.caseName} ${r.check}: ${r.message ?? 'failed'}`)).join('\n');
}

/** Formats reports as Markdown, with the tolerances each backend was held to. */
export function formatMarkdown(reports: ConformanceReport[], context: { command: string; date: string }): string {
  const lines = [
    '# Conformance report',
    '',
    `Command: \`${context.command}\`, ${context.date}.`,
    '',
    'Reference: PyTorch 1.13 in float64 (`F.cross_entropy` with `label_smoothing`; the `non-target` mode from its formula).',
    'A value passes when `|actual - expected| <= max(absolute, relative * |expected|)`; NaN and infinities must match exactly.',
    '',
    '| backend | precision | loss tolerance (abs, rel) | gradient tolerance (abs, rel) |',
    '|---|---|---|---|',
    ...reports.map((r) =>
      `| ${r.backend} | ${r.precision} | ${r.tolerance.loss.absolute}, ${r.tolerance.loss.relative} | ` +
      `${r.tolerance.gradient.absolute}, ${r.tolerance.gradient.relative} |`),
    '',
    '| backend | group | passed | failed | max abs err | max rel err |',
    '|---|---|---|---|---|---|',
    ...reports.flatMap((r) => r.groups.map((g) =>
      `| ${r.backend}${r.fused ? '' : ' (composite)'} | ${g.group} | ${g.passed} | ${g.failed} | ` +
      `${formatError(g.maxAbsoluteError)} | ${formatError(g.maxRelativeError)} |`)),
  ];
  const failures = formatFailures(reports);
  if (failures) {
    lines.push('', '## Failures', '', ...failures.split('\n').map((line) => `- ${line}`));
  }
  return `${lines.join('\n')}\n`;
}
