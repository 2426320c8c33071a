import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { decodeCases, type CaseFile, type ConformanceCase } from './cases.js';

/** Path of the committed cases file, relative to this module in src/ or dist/. */
export const CASES_PATH = fileURLToPath(new URL('../cases/cases.json', import.meta.url));

/** Reads and decodes the committed PyTorch cases (Node only). */
export function loadCases(path: string = CASES_PATH): ConformanceCase[] {
  return decodeCases(JSON.parse(readFileSync(path, 'utf8')) as CaseFile);
}
