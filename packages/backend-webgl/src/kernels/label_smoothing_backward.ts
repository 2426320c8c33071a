import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import {
  LabelSmoothingBackward,
  classAxisLayout,
  smoothingCoefficients,
  type LabelSmoothingAttrs,
  type LabelSmoothingBackwardInputs,
} from '@label-smoothing/core';

import { GradientProgram } from '../programs/gradient_gpu.js';
import { RowPairCoefficientsProgram } from '../programs/row_pair_coefficients_gpu.js';
import { RowPairGradientProgram } from '../programs/row_pair_gradient_gpu.js';
import { smoothingUniformValues } from '../programs/smoothing_glsl.js';
import { TargetMassProgram } from '../programs/target_mass_gpu.js';
import { tileClasses } from '../programs/tiling.js';
import { usesRowPairs } from './label_smoothing_forward.js';
import { Intermediates, sumRows, viewAs } from './texture_views.js';

/**
 * Backward kernel: one elementwise program from the saved row statistics,
 * after a small reduction for the target mass. That is `b·Σ w` for index
 * labels, with `b` core's `otherCoefficient`, and the per-position
 * `Σ w_c q_c` for probability labels.
 */
export const labelSmoothingBackward: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, logits, labels, weight, maxLogit, shiftedLogSumExp } = inputs as unknown as LabelSmoothingBackwardInputs;
  const webgl = backend as MathBackendWebGL;
  const kernelAttrs = attrs as unknown as LabelSmoothingAttrs;
  const layout = classAxisLayout(logits.shape, kernelAttrs.classAxis);
  const { outerSize, numClasses, innerSize } = layout;

  if (outerSize * numClasses * innerSize === 0) {
    return webgl.makeTensorInfo(logits.shape, 'float32', new Float32Array(0));
  }

  const positionsView = [outerSize, innerSize];
  const logits3d = viewAs(logits, [outerSize, numClasses, innerSize]);
  const uniforms = smoothingUniformValues(kernelAttrs, numClasses);
  const intermediates = new Intermediates(webgl);

  try {
    let labelsView: TensorInfo;
    let rowMass: TensorInfo;
    if (kernelAttrs.labelsKind === 'index') {
      labelsView = viewAs(labels, positionsView);
      // b·Σ w rather than Σ w: with 256,000 classes Σ w overflows a 16-bit
      // texture, and b·Σ w is at most ε times the largest weight.
      const { otherCoefficient } = smoothingCoefficients(kernelAttrs.smoothing, kernelAttrs.smoothingMode, numClasses);
      rowMass = sumRows(webgl, viewAs(weight, [1, numClasses]), intermediates, otherCoefficient);
    } else {
      labelsView = viewAs(labels, logits3d.shape);
      const partialMass = intermediates.keep(webgl.runWebGLProgram(
        new TargetMassProgram(layout, tileClasses(numClasses)), [labelsView, weight], 'float32', uniforms));
      rowMass = partialMass.shape[1] === 1 ? partialMass : sumRows(webgl, partialMass, intermediates);
    }

    if (usesRowPairs(logits, kernelAttrs)) {
      const coefficientInputs = kernelAttrs.labelsKind === 'index'
        ? [dy, maxLogit, shiftedLogSumExp, labels, weight, rowMass]
        : [dy, maxLogit, shiftedLogSumExp, viewAs(rowMass, [outerSize])];
      const coefficients = intermediates.keep(webgl.runWebGLProgram(
        new RowPairCoefficientsProgram(outerSize, numClasses, kernelAttrs.labelsKind),
        coefficientInputs, 'float32', uniforms, true));
      return webgl.runWebGLProgram(
        new RowPairGradientProgram(outerSize, numClasses, kernelAttrs.labelsKind),
        [logits, labels, weight, coefficients],
        'float32',
        uniforms,
        true,
      );
    }

    const gradient = webgl.runWebGLProgram(
      new GradientProgram(layout, kernelAttrs.labelsKind),
      [
        logits3d,
        labelsView,
        weight,
        viewAs(dy, positionsView),
        viewAs(maxLogit, positionsView),
        viewAs(shiftedLogSumExp, positionsView),
        rowMass,
      ],
      'float32',
      uniforms,
    );
    return viewAs(gradient, logits.shape);
  } finally {
    intermediates.disposeAll();
  }
};

export const labelSmoothingBackwardConfig: KernelConfig = {
  kernelName: LabelSmoothingBackward,
  backendName: 'webgl',
  kernelFunc: labelSmoothingBackward,
};
