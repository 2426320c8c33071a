/**
 * Conformance cases: inputs, options and float64 PyTorch results, stored as
 * JSON in cases/cases.json (written by scripts/generate_cases.py).
 *
 * JSON has no NaN or Infinity, so those are the strings "NaN", "Infinity"
 * and "-Infinity"; every array is flat and row-major.
 */
import type { LabelSmoothingOptions } from '@label-smoothing/core';

export type EncodedNumber = number | 'NaN' | 'Infinity' | '-Infinity';

export type CaseGroup =
  | 'index' | 'probability' | 'weights' | 'ignore' | 'layout' | 'edge' | 'non-target' | 'numerics' | 'reported';

interface EncodedTensor {
  shape: number[];
  values: EncodedNumber[];
  dtype?: 'int32' | 'float32';
}

interface EncodedGradients {
  mean: EncodedNumber[];
  sum: EncodedNumber[];
  none: EncodedNumber[];
}

export interface EncodedCase {
  name: string;
  group: CaseGroup;
  description: string;
  logits: EncodedTensor;
  labels: EncodedTensor;
  options: Omit<LabelSmoothingOptions, 'weight'> & { weight?: EncodedNumber[] };
  upstream: EncodedTensor;
  expected: {
    none: EncodedTensor;
    mean: EncodedNumber;
    sum: EncodedNumber;
    logitsGradient: EncodedGradients;
    labelsGradient?: EncodedGradients;
  };
}

export interface CaseFile {
  description: string;
  generator: string;
  torchVersion: string;
  cases: EncodedCase[];
}

export interface DecodedTensor {
  shape: number[];
  values: Float64Array;
  dtype: 'int32' | 'float32';
}

export interface Gradients {
  mean: Float64Array;
  sum: Float64Array;
  none: Float64Array;
}

/** A case with every number decoded; expected values are float64. */
export interface ConformanceCase {
  name: string;
  group: CaseGroup;
  description: string;
  logits: DecodedTensor;
  labels: DecodedTensor;
  labelsKind: 'index' | 'probability';
  options: LabelSmoothingOptions & { weight?: number[] };
  upstream: DecodedTensor;
  expected: {
    none: DecodedTensor;
    mean: number;
    sum: number;
    logitsGradient: Gradients;
    labelsGradient?: Gradients;
  };
}

export function decodeNumber(value: EncodedNumber): number {
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return value;
}

function decodeValues(values: EncodedNumber[]): Float64Array {
  return Float64Array.from(values, decodeNumber);
}

function decodeTensor(tensor: EncodedTensor, dtype: 'int32' | 'float32' = 'float32'): DecodedTensor {
  return { shape: tensor.shape, values: decodeValues(tensor.values), dtype: tensor.dtype ?? dtype };
}

function decodeGradients(gradients: EncodedGradients): Gradients {
  return { mean: decodeValues(gradients.mean), sum: decodeValues(gradients.sum), none: decodeValues(gradients.none) };
}

/** Decodes a parsed cases.json; throws on a case whose labels fit neither form. */
export function decodeCases(file: CaseFile): ConformanceCase[] {
  return file.cases.map((encoded) => {
    const logits = decodeTensor(encoded.logits);
    const labels = decodeTensor(encoded.labels);
    const sameShape = labels.shape.length === logits.shape.length && labels.shape.every((size, i) => size === logits.shape[i]);
    const { weight, ...rest } = encoded.options;
    return {
      name: encoded.name,
      group: encoded.group,
      description: encoded.description,
      logits,
      labels,
      labelsKind: sameShape ? 'probability' : 'index',
      options: weight === undefined ? rest : { ...rest, weight: weight.map(decodeNumber) },
      upstream: decodeTensor(encoded.upstream),
      expected: {
        none: decodeTensor(encoded.expected.none),
        mean: decodeNumber(encoded.expected.mean),
        sum: decodeNumber(encoded.expected.sum),
        logitsGradient: decodeGradients(encoded.expected.logitsGradient),
        labelsGradient: encoded.expected.labelsGradient ? decodeGradients(encoded.expected.labelsGradient) : undefined,
      },
    };
  });
}
