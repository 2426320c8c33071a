import { describe, expect, it } from 'vitest';

import { checkSetSizes, DEFAULT_OUT_DIRECTORY, DEFAULTS, helpText, parseCommandLine, UsageError } from '../src/cli.js';

function parse(args: string[]) {
  const commandLine = parseCommandLine(args, '/home/user/project');
  if (commandLine.help) {
    throw new Error('expected options, got --help');
  }
  return commandLine.options;
}

describe('parseCommandLine', () => {
  it('uses the defaults without flags', () => {
    const options = parse([]);
    expect(options).toEqual({ ...DEFAULTS, smoothing: [0, 0.1], outDirectory: DEFAULT_OUT_DIRECTORY });
  });

  it('reads every flag', () => {
    const options = parse([
      '--backend', 'cpu', '--epochs', '3', '--train-size', '500', '--test-size', '200',
      '--smoothing', '0, 0.05,0.2', '--seed', '7', '--out', 'out/run',
    ]);
    expect(options).toEqual({
      backend: 'cpu',
      epochs: 3,
      trainSize: 500,
      testSize: 200,
      smoothing: [0, 0.05, 0.2],
      seed: 7,
      outDirectory: '/home/user/project/out/run',
    });
  });

  it('keeps an absolute --out', () => {
    expect(parse(['--out', '/tmp/reports']).outDirectory).toBe('/tmp/reports');
  });

  it('returns help for -h', () => {
    expect(parseCommandLine(['-h'], '/')).toEqual({ help: true });
  });

  it.each([
    [['--epochs', '0'], "Invalid --epochs value '0': expected a whole number from 1 to 1000"],
    [['--epochs', '2.5'], "Invalid --epochs value '2.5'"],
    [['--train-size', 'many'], "Invalid --train-size value 'many': expected a whole number 1 or more"],
    [['--test-size=-3'], "Invalid --test-size value '-3'"],
    [['--seed', '4294967296'], "Invalid --seed value '4294967296': expected a whole number from 0 to 4294967295"],
    [['--backend', 'webgl'], "Invalid --backend value 'webgl': expected wasm or cpu"],
    [['--smoothing', '0,,0.1'], "Invalid --smoothing value '0,,0.1': '' is not a number in [0, 1]"],
    [['--smoothing', '0.1,0.1'], "Invalid --smoothing value '0.1,0.1': 0.1 appears twice"],
    [['--smoothing=-0.1'], "'-0.1' is not a number in [0, 1]"],
    [['--smoothing', '-0.1'], "Option '--smoothing' argument is ambiguous"],
    [['--out', ''], "Invalid --out value ''"],
    [['--colour'], "Unknown option '--colour'. Run with --help to list the flags."],
    [['--epochs'], "Option '--epochs <value>' argument missing. Run with --help"],
  ])('rejects %j', (args, message) => {
    expect(() => parse(args)).toThrow(UsageError);
    expect(() => parse(args)).toThrow(message);
  });
});

describe('checkSetSizes', () => {
  it('rejects sizes above the data set', () => {
    const options = parse(['--train-size', '9000', '--test-size', '2000']);
    expect(() => checkSetSizes(options, 10000)).toThrow(
      'Invalid --train-size 9000 with --test-size 2000: together they need 11000 digits, but the mnist package has 10000',
    );
  });

  it('accepts sizes that fill the data set', () => {
    expect(() => checkSetSizes(parse(['--train-size', '8000']), 10000)).not.toThrow();
  });
});

describe('helpText', () => {
  it.each(['--backend', '--epochs', '--train-size', '--test-size', '--smoothing', '--seed', '--out', '--help'])(
    'lists %s with its default',
    (flag) => {
      const line = helpText().split('\n').find((entry) => entry.includes(flag));
      expect(line).toBeDefined();
      if (flag !== '--help' && flag !== '--test-size' && flag !== '--out') {
        expect(line).toMatch(/\(default: [^)]+\)/);
      }
    },
  );
});
