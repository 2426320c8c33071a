/**
 * GLSL shared by the programs that read `[N, C]` logits from packed
 * textures, two rows × two classes per texel, in the texel's channel order
 * (row r class c, row r class c + 1, row r + 1 class c, row r + 1 class c + 1).
 *
 * `logitPair(r, c)` reads that texel; a class past the end reads as
 * -Infinity, which adds nothing to any sum. `pairMaximum(x)` is the larger
 * logit of each row, NaN skipped. The code is branch-free on purpose:
 * SwiftShader runs both sides of a branch for every group of four fragments.
 */
export function rowPairSnippet(numClasses: number): string {
  return `
    vec4 logitPair(int r, int c) {
      vec4 x = getLogits(r, c);
      return c + 1 < ${numClasses} ? x : vec4(x.x, -infinity, x.z, -infinity);
    }

    vec2 pairMaximum(vec4 x) {
      return vec2(x.x > x.y || isnan(x.y) ? x.x : x.y, x.z > x.w || isnan(x.w) ? x.z : x.w);
    }

    bvec2 pairUndefined(vec4 x) {
      return bvec2(isnan(x.x) || isnan(x.y) || x.x == infinity || x.y == infinity,
                   isnan(x.z) || isnan(x.w) || x.z == infinity || x.w == infinity);
    }
  `;
}
