/** The machine a run measured on, as the results and the docs name it. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';

export interface Machine {
  /** `model name` from /proc/cpuinfo, or Node's `os.cpus()` model elsewhere. */
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  /** One-, five- and fifteen-minute load averages when the run started and when it ended. */
  loadAverageStart: number[];
  loadAverageEnd: number[];
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((text) => text.startsWith('model name'));
    if (line) {
      return line.split(':')[1].trim();
    }
  } catch {
    // Not Linux; fall back to what Node reports.
  }
  return cpus()[0]?.model ?? 'unknown';
}

/** Describes this machine; `loadAverageEnd` is filled in when the run ends. */
export function describeMachine(): Machine {
  return {
    cpuModel: cpuModel(),
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    loadAverageStart: loadavg().map((value) => Number(value.toFixed(2))),
    loadAverageEnd: [],
  };
}

/** Returns the current load averages, rounded to two decimals. */
export function currentLoadAverage(): number[] {
  return loadavg().map((value) => Number(value.toFixed(2)));
}

/** Describes the checked-out commit, with `-dirty` when the tree has changes, or `unknown` outside git. */
export function gitDescription(directory: string): string {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { cwd: directory, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}
