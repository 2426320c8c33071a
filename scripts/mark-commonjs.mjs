// Marks a CommonJS build folder so Node loads its .js files as CommonJS even
// though the package itself declares "type": "module".
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const folder = process.argv[2];
if (!folder) {
  console.error('usage: node scripts/mark-commonjs.mjs <folder of the CommonJS build>');
  process.exit(2);
}
mkdirSync(folder, { recursive: true });
writeFileSync(join(folder, 'package.json'), '{\n  "type": "commonjs"\n}\n');
