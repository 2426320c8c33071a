/**
 * Inspection of the compiled kernel module. It runs on the tfjs wasm
 * backend's own heap, so it must import that memory, bring no memory, data
 * segments, globals or start function of its own, and store only into the
 * output buffers it is given. The binary is checked statically, and every
 * kernel is run on a memory filled with a canary pattern.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import binaryen from 'assemblyscript/binaryen';
import { describe, expect, test } from 'vitest';
import {
  classAxisLayout,
  smoothedTargetSlope,
  smoothingCoefficients,
  smoothProbability,
  type SmoothingMode,
} from '@label-smoothing/core';
import {
  KERNEL_MODULE_ARGUMENTS,
  kernelModuleBytes,
  kernelModuleFor,
  type KernelModuleVariant,
} from '@label-smoothing/backend-wasm/base';

import { SeededRandom } from './helpers.js';

const SECTION_NAMES: Record<number, string> = {
  0: 'custom', 1: 'type', 2: 'import', 3: 'function', 4: 'table', 5: 'memory', 6: 'global',
  7: 'export', 8: 'start', 9: 'element', 10: 'code', 11: 'data', 12: 'data count',
};

function readUnsignedLeb(bytes: Uint8Array, start: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let offset = start;
  for (;;) {
    const byte = bytes[offset++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return { value, next: offset };
  }
}

/** Lists the binary's sections by name, with each section's content bytes. */
function readSections(bytes: Uint8Array): { name: string; content: Uint8Array }[] {
  expect(Array.from(bytes.subarray(0, 8))).toEqual([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const sections = [];
  let offset = 8;
  while (offset < bytes.length) {
    const id = bytes[offset];
    const size = readUnsignedLeb(bytes, offset + 1);
    sections.push({ name: SECTION_NAMES[id] ?? `unknown ${id}`, content: bytes.subarray(size.next, size.next + size.value) });
    offset = size.next + size.value;
  }
  return sections;
}

/** Decodes the import section; memory imports include their limits flags and page counts. */
function readImports(content: Uint8Array): { module: string; name: string; kind: number; limits?: number[] }[] {
  const decoder = new TextDecoder();
  const count = readUnsignedLeb(content, 0);
  let offset = count.next;
  const imports = [];
  for (let i = 0; i < count.value; i++) {
    const moduleLength = readUnsignedLeb(content, offset);
    const module = decoder.decode(content.subarray(moduleLength.next, moduleLength.next + moduleLength.value));
    offset = moduleLength.next + moduleLength.value;
    const nameLength = readUnsignedLeb(content, offset);
    const name = decoder.decode(content.subarray(nameLength.next, nameLength.next + nameLength.value));
    offset = nameLength.next + nameLength.value;
    const kind = content[offset++];
    if (kind !== 0x02) {
      imports.push({ module, name, kind });
      continue;
    }
    const flags = content[offset++];
    const minimum = readUnsignedLeb(content, offset);
    offset = minimum.next;
    const limits = [flags, minimum.value];
    if (flags & 0x01) {
      const maximum = readUnsignedLeb(content, offset);
      offset = maximum.next;
      limits.push(maximum.value);
    }
    imports.push({ module, name, kind, limits });
  }
  return imports;
}

const VARIANTS: { variant: KernelModuleVariant; file: string; limitsFlags: number }[] = [
  // 0x00: a minimum only, so any non-shared memory of the backend fits.
  { variant: 'unshared', file: 'label_smoothing_kernels.wasm', limitsFlags: 0x00 },
  // 0x03: shared with a maximum, which WebAssembly requires of shared memories.
  { variant: 'shared', file: 'label_smoothing_kernels_shared.wasm', limitsFlags: 0x03 },
];

describe.each(VARIANTS)('$variant module', ({ variant, file, limitsFlags }) => {
  const bytes = kernelModuleBytes(variant);

  test('embedded bytes equal the shipped .wasm file', () => {
    const shipped = readFileSync(fileURLToPath(new URL(`../dist/wasm/${file}`, import.meta.url)));
    expect(Buffer.from(bytes).equals(shipped)).toBe(true);
  });

  test('has no memory, data, global or start section', () => {
    const names = readSections(bytes).map((section) => section.name);
    for (const forbidden of ['memory', 'data', 'data count', 'global', 'start']) {
      expect(names).not.toContain(forbidden);
    }
  });

  test('imports only env.memory', () => {
    const importSection = readSections(bytes).find((section) => section.name === 'import');
    expect(importSection).toBeDefined();
    const imports = readImports(importSection!.content);
    expect(imports).toHaveLength(1);
    expect(imports[0]).toMatchObject({ module: 'env', name: 'memory', kind: 0x02 });
    expect(imports[0].limits?.[0]).toBe(limitsFlags);
    expect(imports[0].limits?.[1]).toBe(0);
    if (variant === 'shared') {
      expect(imports[0].limits?.[2]).toBe(65536);
    }
  });

  test('exports the documented functions with their arities', () => {
    const module = new WebAssembly.Module(bytes);
    const exports = WebAssembly.Module.exports(module);
    expect(exports.map((e) => e.name).sort()).toEqual(Object.keys(KERNEL_MODULE_ARGUMENTS).sort());
    expect(exports.every((e) => e.kind === 'function')).toBe(true);

    const memory = variant === 'shared'
      ? new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true })
      : new WebAssembly.Memory({ initial: 1 });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    for (const [name, argumentNames] of Object.entries(KERNEL_MODULE_ARGUMENTS)) {
      expect((instance.exports[name] as (...args: number[]) => void).length, name).toBe(argumentNames.length);
    }
  });

  test('stores only with f32.store and v128.store, and never grows or fills memory', () => {
    const module = binaryen.readBinary(bytes);
    module.setFeatures(binaryen.Features.All);
    const text = module.emitText();
    module.dispose();

    const memoryInstructions = new Set<string>();
    for (const match of text.matchAll(/\((\w+\.(?:\w*store\w*|atomic\.\w+|\w*rmw\w*)|memory\.\w+|data\.drop)\b/g)) {
      memoryInstructions.add(match[1]);
    }
    expect([...memoryInstructions].sort()).toEqual(['f32.store', 'v128.store']);
  });
});

// Canary check ---------------------------------------------------------------

const CANARY = 0xa5a5a5a5 | 0;

/** A memory region the kernel receives: byte offset and length in float32/int32 elements. */
interface Region {
  offset: number;
  length: number;
}

/**
 * Places regions one after another with a 40-byte gap before each, so a
 * store past any region's end or before its start lands in canary bytes.
 * Every region starts 4 bytes past a 16-byte boundary, so vector accesses are
 * unaligned, as they may be on the backend's heap.
 */
function placeRegions(lengths: number[]): { regions: Region[]; end: number } {
  let offset = 64;
  const regions = lengths.map((length) => {
    const region = { offset: offset + 4, length };
    offset = Math.ceil((region.offset + length * 4 + 40) / 16) * 16;
    return region;
  });
  return { regions, end: offset };
}

interface CanaryCase {
  name: string;
  shape: number[];
  classAxis: number;
  labelsKind: 'index' | 'probability';
  smoothingMode: SmoothingMode;
}

const CANARY_CASES: CanaryCase[] = [
  { name: 'contiguous rows', shape: [5, 7], classAxis: 1, labelsKind: 'index', smoothingMode: 'uniform' },
  { name: 'contiguous rows', shape: [3, 9], classAxis: 1, labelsKind: 'probability', smoothingMode: 'non-target' },
  { name: 'scalar strided rows', shape: [3, 6, 3], classAxis: 1, labelsKind: 'index', smoothingMode: 'non-target' },
  { name: 'scalar strided rows', shape: [3, 6, 2], classAxis: 1, labelsKind: 'probability', smoothingMode: 'uniform' },
  { name: 'lanes with overlap', shape: [2, 6, 7], classAxis: 1, labelsKind: 'index', smoothingMode: 'uniform' },
  { name: 'lanes with overlap', shape: [2, 5, 6], classAxis: 1, labelsKind: 'probability', smoothingMode: 'non-target' },
];

describe.each(VARIANTS.map((v) => v.variant))('%s module on a canary-filled memory', (variant) => {
  test.each(CANARY_CASES)('$name, $labelsKind labels: stores only into outputs, and into all of them', (testCase) => {
    const layout = classAxisLayout(testCase.shape, testCase.classAxis);
    const size = layout.outerSize * layout.numClasses * layout.innerSize;
    const positions = layout.outerSize * layout.innerSize;
    const labelsLength = testCase.labelsKind === 'index' ? positions : size;
    const random = new SeededRandom(`canary-${testCase.name}-${testCase.labelsKind}`);

    // Inputs: logits, labels, weight, dy; forward outputs: losses, maxLogit,
    // shiftedLogSumExp, targetWeight; backward output: gradient.
    const { regions, end } = placeRegions([size, labelsLength, layout.numClasses, positions,
      positions, positions, positions, positions, size]);
    const [logits, labels, weight, dy, losses, maxLogit, shiftedLogSumExp, targetWeight, gradient] = regions;

    const pages = Math.ceil(end / 65536) + 1;
    const memory = variant === 'shared'
      ? new WebAssembly.Memory({ initial: pages, maximum: 65536, shared: true })
      : new WebAssembly.Memory({ initial: pages });
    const words = new Int32Array(memory.buffer);
    const floats = new Float32Array(memory.buffer);
    words.fill(CANARY);

    floats.set(random.normals(size, 2), logits.offset / 4);
    if (testCase.labelsKind === 'index') {
      // Position 1 is ignored (-100) and position 2 has an out-of-range label (C).
      const indexLabels = Int32Array.from({ length: positions }, () => random.integer(0, layout.numClasses - 1));
      indexLabels[1] = -100;
      indexLabels[2] = layout.numClasses;
      words.set(indexLabels, labels.offset / 4);
    } else {
      floats.set(Float32Array.from({ length: size }, () => random.uniform()), labels.offset / 4);
    }
    floats.set(Float32Array.from({ length: layout.numClasses }, (_, c) => (c === 0 ? 0 : 1 + c / 4)), weight.offset / 4);
    floats.set(Float32Array.from({ length: positions }, () => random.uniform(0.5, 1.5)), dy.offset / 4);

    const before = words.slice();
    const kernels = kernelModuleFor(memory);
    const sizes = [layout.outerSize, layout.numClasses, layout.innerSize];
    if (testCase.labelsKind === 'index') {
      const coefficients = smoothingCoefficients(0.1, testCase.smoothingMode, layout.numClasses);
      const indexArguments = [coefficients.targetCoefficient, coefficients.otherCoefficient,
        coefficients.sumIncludesTarget ? 1 : 0, -100, 1];
      kernels.forwardIndexLabels(logits.offset, labels.offset, weight.offset,
        losses.offset, maxLogit.offset, shiftedLogSumExp.offset, targetWeight.offset, ...sizes, ...indexArguments);
      kernels.backwardIndexLabels(dy.offset, logits.offset, labels.offset, weight.offset,
        maxLogit.offset, shiftedLogSumExp.offset, gradient.offset, ...sizes, ...indexArguments);
    } else {
      const probabilityArguments = [smoothedTargetSlope(0.1, testCase.smoothingMode, layout.numClasses),
        smoothProbability(0, 0.1, testCase.smoothingMode, layout.numClasses)];
      kernels.forwardProbabilityLabels(logits.offset, labels.offset, weight.offset,
        losses.offset, maxLogit.offset, shiftedLogSumExp.offset, targetWeight.offset, ...sizes, ...probabilityArguments);
      kernels.backwardProbabilityLabels(dy.offset, logits.offset, labels.offset, weight.offset,
        maxLogit.offset, shiftedLogSumExp.offset, gradient.offset, ...sizes, ...probabilityArguments);
    }

    const outputs = [losses, maxLogit, shiftedLogSumExp, targetWeight, gradient];
    const isOutput = (word: number) => outputs.some((r) => word >= r.offset / 4 && word < r.offset / 4 + r.length);
    const changedOutside: number[] = [];
    for (let word = 0; word < words.length; word++) {
      if (!isOutput(word) && words[word] !== before[word]) changedOutside.push(word * 4);
    }
    expect(changedOutside, 'byte offsets written outside the outputs').toEqual([]);

    for (const [index, region] of outputs.entries()) {
      const unwritten = Array.from(words.subarray(region.offset / 4, region.offset / 4 + region.length))
        .filter((word) => word === CANARY).length;
      expect(unwritten, `elements of output ${index} left unwritten`).toBe(0);
    }
  });
});
