// Fits the minimax polynomial coefficients used by assembly/math.ts and
// prints them. Run by hand after changing a polynomial's degree or range; the
// build uses the committed coefficients and does not run this script.
//
// Method: Lawson's iteratively reweighted least squares on a dense grid,
// minimizing the maximum relative error in float64.

/** Solves the normal equations of a weighted least-squares fit. */
function weightedLeastSquares(basisRows, targets, weights) {
  const n = basisRows[0].length;
  const matrix = Array.from({ length: n }, () => new Float64Array(n + 1));
  basisRows.forEach((row, k) => {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) matrix[i][j] += weights[k] * row[i] * row[j];
      matrix[i][n] += weights[k] * row[i] * targets[k];
    }
  });
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(matrix[r][col]) > Math.abs(matrix[pivot][col])) pivot = r;
    [matrix[col], matrix[pivot]] = [matrix[pivot], matrix[col]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = matrix[r][col] / matrix[col][col];
      for (let c = col; c <= n; c++) matrix[r][c] -= factor * matrix[col][c];
    }
  }
  return matrix.map((row, i) => row[n] / row[i]);
}

/** Minimizes max |Σ c_i·basis_i(x) − target(x)| over the grid with Lawson's weights. */
function fitMinimax(grid, basis, target) {
  const rows = grid.map(basis);
  const targets = grid.map(target);
  let weights = new Float64Array(grid.length).fill(1 / grid.length);
  let coefficients = [];
  for (let iteration = 0; iteration < 200; iteration++) {
    coefficients = weightedLeastSquares(rows, targets, weights);
    const errors = rows.map((row, k) => Math.abs(row.reduce((sum, b, i) => sum + b * coefficients[i], 0) - targets[k]));
    const total = errors.reduce((sum, e, k) => sum + weights[k] * e, 0);
    weights = weights.map((w, k) => (w * errors[k]) / total);
  }
  return coefficients;
}

function linspace(from, to, count) {
  return Array.from({ length: count }, (_, k) => from + ((to - from) * k) / (count - 1));
}

// exp(r) ≈ 1 + r + r²·(c2 + c3·r + c4·r² + c5·r³) on |r| <= ln2/2, relative error.
const halfLn2 = Math.LN2 / 2;
const expCoefficients = fitMinimax(
  linspace(-halfLn2, halfLn2, 4001),
  (r) => [2, 3, 4, 5].map((p) => r ** p / Math.exp(r)),
  (r) => (Math.exp(r) - 1 - r) / Math.exp(r),
);

// log(1 + f) = 2·atanh(s) with s = f / (2 + f) ≈ 2s + s³·(c1 + c2·s² + c3·s⁴)
// for mantissas in [√½, √2), so |s| <= (√2 − 1)/(√2 + 1); relative error.
const maxS = (Math.SQRT2 - 1) / (Math.SQRT2 + 1);
const logCoefficients = fitMinimax(
  linspace(1e-4, maxS, 4001),
  (s) => [3, 5, 7].map((p) => s ** p / (2 * Math.atanh(s))),
  (s) => (2 * Math.atanh(s) - 2 * s) / (2 * Math.atanh(s)),
);

const format = (values) => values.map((v) => Math.fround(v).toPrecision(9)).join(', ');
console.log(`exp: c2..c5 = ${format(expCoefficients)}`);
console.log(`log: c1..c3 = ${format(logCoefficients)}`);
