import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';

import type { Tiling } from './tiling.js';

/**
 * Sums each tile of each row of a `[rows, length]` input, times the uniform
 * `scale`, giving `[rows, numTiles]`. Run again on its own output until one
 * column is left. Scaling inside the sum keeps partial sums small enough for
 * 16-bit textures when the result is a small multiple of a large sum.
 *
 * Compiled-program key: the source bakes in `length` and the tiling; `scale`
 * is a uniform.
 */
export class SumTilesProgram implements GPGPUProgram {
  variableNames = ['values'];
  customUniforms = [{ name: 'scale', type: 'float' as const }];
  outputShape: number[];
  userCode: string;

  constructor(rows: number, length: number, tiling: Tiling) {
    const { tileSize, numTiles } = tiling;
    this.outputShape = [rows, numTiles];
    this.userCode = `
      void main() {
        ivec2 coords = getOutputCoords();
        int tileStart = coords.y * ${tileSize};
        float sum = 0.0;
        for (int k = 0; k < ${tileSize}; k++) {
          int column = tileStart + k;
          if (column >= ${length}) {
            break;
          }
          sum += scale * getValues(coords.x, column);
        }
        setOutput(sum);
      }
    `;
  }
}
