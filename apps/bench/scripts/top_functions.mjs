// Lists the functions with the most self time in a V8 CPU profile, such as
// one written by `node --cpu-prof` or by Chromium's DevTools protocol.
//
// Usage: node apps/bench/scripts/top_functions.mjs PROFILE.cpuprofile [COUNT]
import { readFileSync } from 'node:fs';

const [path, countText = '15'] = process.argv.slice(2);
if (!path) {
  console.error('Usage: top_functions.mjs PROFILE.cpuprofile [COUNT]');
  process.exit(2);
}

const profile = JSON.parse(readFileSync(path, 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicroseconds = new Map();
profile.samples.forEach((id, index) => {
  const { functionName, url, lineNumber } = nodes.get(id).callFrame;
  const key = `${functionName || '(anonymous)'} ${url.split('/').pop()}:${lineNumber + 1}`;
  selfMicroseconds.set(key, (selfMicroseconds.get(key) ?? 0) + profile.timeDeltas[index]);
});

const total = [...selfMicroseconds.values()].reduce((sum, value) => sum + value, 0);
const top = [...selfMicroseconds].sort((a, b) => b[1] - a[1]).slice(0, Number(countText));
for (const [key, microseconds] of top) {
  console.log(`${((100 * microseconds) / total).toFixed(1).padStart(5)}%  ${(microseconds / 1000).toFixed(1).padStart(9)} ms  ${key}`);
}
