import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu/dist/webgpu_program';

const WORKGROUP_SIZE = 64;

/**
 * Copies one row of `RowStatisticsProgram`'s `[4 * positions]` output into
 * its own `[positions]` tensor, because a tfjs WebGPU program writes exactly
 * one output buffer and the forward kernel returns four tensors.
 *
 * Compiled-program key: the source is fixed. The row (`statistic`) and the
 * number of positions (`size`) are uniforms, so the four copies of a call,
 * and every later call, share one compiled program.
 */
export class ExtractStatisticProgram implements WebGPUProgram {
  variableNames = ['statistics'];
  outputShape: number[];
  shaderKey = 'labelSmoothingExtractStatistic';
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [WORKGROUP_SIZE, 1, 1];
  uniforms = 'statistic : i32,';
  size = true;

  constructor(positions: number) {
    this.outputShape = [positions];
    this.dispatch = [Math.max(1, Math.ceil(positions / WORKGROUP_SIZE)), 1, 1];
  }

  getUserCode(): string {
    return `
    fn main(index : i32) {
      if (index < uniforms.size) {
        setOutputAtIndex(index, statistics[uniforms.statistic * uniforms.size + index]);
      }
    }
    `;
  }
}
