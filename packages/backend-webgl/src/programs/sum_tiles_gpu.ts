import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';

import type { Tiling } from './tiling.js';

/**
 * Sums each tile of each row of a `[rows, length]` input, giving
 * `[rows, numTiles]`. Run again on its own output until one column is left.
 *
 * Compiled-program key: the source bakes in `length` and the tiling.
 */
export class SumTilesProgram implements GPGPUProgram {
  variableNames = ['values'];
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
          sum += getValues(coords.x, column);
        }
        setOutput(sum);
      }
    `;
  }
}
