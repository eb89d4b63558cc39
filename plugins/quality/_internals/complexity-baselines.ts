/**
 * The simple baselines checkComplexity trains when none is given: the majority class (or the
 * mean, for regression), L2-penalised multinomial logistic regression by Newton's method, and
 * ordinary least squares by the normal equations. Small, exact where they can be, and tested
 * against scipy / numpy solutions of the same objectives.
 */
import type { Label } from '../metrics.ts'

export type Matrix = readonly (readonly number[])[]

/** Column means and population standard deviations (1 for a constant column, so it stays 0 after centring). */
export function standardiser(x: Matrix): { mean: number[]; std: number[]; apply: (row: readonly number[]) => number[] } {
  const d = x[0]!.length
  const mean = new Array<number>(d).fill(0)
  const std = new Array<number>(d).fill(0)
  for (const row of x) for (let j = 0; j < d; j++) mean[j]! += row[j]! / x.length
  for (const row of x) for (let j = 0; j < d; j++) std[j]! += (row[j]! - mean[j]!) ** 2 / x.length
  for (let j = 0; j < d; j++) std[j] = std[j]! > 0 ? Math.sqrt(std[j]!) : 1
  return { mean, std, apply: (row) => row.map((v, j) => (v - mean[j]!) / std[j]!) }
}

/**
 * Solves A x = b for a symmetric positive definite A by Gaussian elimination with partial
 * pivoting (A is small: parameters x parameters). Throws when A is singular.
 */
export function solve(a: number[][], b: number[]): number[] {
  const n = b.length
  const m = a.map((row, i) => [...row, b[i]!])
  for (let col = 0; col < n; col++) {
    let pivot = col
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r
    if (Math.abs(m[pivot]![col]!) < 1e-300) throw new RangeError('solve: singular system')
    ;[m[col], m[pivot]] = [m[pivot]!, m[col]!]
    for (let r = col + 1; r < n; r++) {
      const f = m[r]![col]! / m[col]![col]!
      if (f !== 0) for (let c = col; c <= n; c++) m[r]![c]! -= f * m[col]![c]!
    }
  }
  const x = new Array<number>(n).fill(0)
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!
    for (let c = r + 1; c < n; c++) s -= m[r]![c]! * x[c]!
    x[r] = s / m[r]![r]!
  }
  return x
}

export interface LinearModel {
  /** Intercept first, then one coefficient per feature (original units). */
  coefficients: number[]
  parameters: number
  predict(rows: Matrix): number[]
}

/**
 * Ordinary least squares with an intercept: (XᵀX) β = Xᵀy, as numpy.linalg.lstsq gives for a
 * full-rank X. A rank-deficient X (collinear columns) gets a ridge of 1e-10 · trace / p so
 * the system stays solvable; the fit is then the minimum-norm one to that precision.
 */
export function fitLinear(x: Matrix, y: readonly number[]): LinearModel {
  const p = x[0]!.length + 1
  const xtx = Array.from({ length: p }, () => new Array<number>(p).fill(0))
  const xty = new Array<number>(p).fill(0)
  for (let i = 0; i < x.length; i++) {
    const row = [1, ...x[i]!]
    for (let a = 0; a < p; a++) {
      xty[a]! += row[a]! * y[i]!
      for (let b = 0; b < p; b++) xtx[a]![b]! += row[a]! * row[b]!
    }
  }
  let coefficients: number[]
  try {
    coefficients = solve(xtx, xty)
    if (!coefficients.every(Number.isFinite)) throw new RangeError('not finite')
  } catch {
    const trace = xtx.reduce((s, row, i) => s + row[i]!, 0)
    coefficients = solve(xtx.map((row, i) => row.map((v, j) => (i === j ? v + (1e-10 * trace) / p : v))), xty)
  }
  return {
    coefficients,
    parameters: p,
    predict: (rows) => rows.map((row) => row.reduce((s, v, j) => s + v * coefficients[j + 1]!, coefficients[0]!)),
  }
}

export interface LogisticModel {
  classes: Label[]
  /** weights[k] = [intercept, w_1 .. w_d] of class k, on standardised features. */
  weights: number[][]
  parameters: number
  /** Newton iterations until the gradient norm fell below 1e-9 · n. */
  iterations: number
  probabilities(rows: Matrix): number[][]
  predict(rows: Matrix): Label[]
}

function softmaxRow(z: number[]): number[] {
  const max = Math.max(...z)
  const e = z.map((v) => Math.exp(v - max))
  const s = e.reduce((a, b) => a + b, 0)
  return e.map((v) => v / s)
}

/** Objective Σ_i -log p(y_i | x_i) + ½ Σ_k ||w_k||² (intercepts unpenalised): scikit-learn's C = 1 scaling. */
export function logisticObjective(weights: number[][], x: Matrix, yIndex: readonly number[]): number {
  let sum = 0
  for (let i = 0; i < x.length; i++) {
    const z = weights.map((w) => w.reduce((s, v, j) => s + v * (j === 0 ? 1 : x[i]![j - 1]!), 0))
    const max = Math.max(...z)
    const logSum = max + Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0))
    sum += logSum - z[yIndex[i]!]!
  }
  for (const w of weights) for (let j = 1; j < w.length; j++) sum += 0.5 * w[j]! ** 2
  return sum
}

/**
 * Multinomial logistic regression (softmax over all K classes, K >= 2) on standardised
 * features, minimising Σ -log p(y | x) + ½ ||W||² (intercepts unpenalised), by damped Newton
 * steps with backtracking. The optimum's predictions are unique; the intercepts are defined up
 * to a common shift, which the damping pins.
 */
export function fitLogistic(x: Matrix, y: readonly Label[], maxIterations = 100): LogisticModel {
  const classes = [...new Set(y)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  if (classes.length < 2) throw new RangeError(`fitLogistic: labels hold one class only (${String(classes[0])}); a classifier needs two`)
  const scale = standardiser(x)
  const xs = x.map(scale.apply)
  const yIndex = y.map((v) => classes.indexOf(v))
  const K = classes.length
  const d = xs[0]!.length
  const P = K * (d + 1)
  const w = Array.from({ length: K }, () => new Array<number>(d + 1).fill(0))
  let objective = logisticObjective(w, xs, yIndex)
  let iterations = 0
  for (; iterations < maxIterations; iterations++) {
    const grad = new Array<number>(P).fill(0)
    const hess = Array.from({ length: P }, () => new Array<number>(P).fill(0))
    for (let i = 0; i < xs.length; i++) {
      const row = [1, ...xs[i]!]
      const p = softmaxRow(w.map((wk) => wk.reduce((s, v, j) => s + v * row[j]!, 0)))
      for (let k = 0; k < K; k++) {
        const r = p[k]! - (yIndex[i] === k ? 1 : 0)
        for (let j = 0; j <= d; j++) grad[k * (d + 1) + j]! += r * row[j]!
        for (let l = 0; l < K; l++) {
          const c = p[k]! * ((k === l ? 1 : 0) - p[l]!)
          if (c === 0) continue
          for (let j = 0; j <= d; j++) for (let m = 0; m <= d; m++) hess[k * (d + 1) + j]![l * (d + 1) + m]! += c * row[j]! * row[m]!
        }
      }
    }
    for (let k = 0; k < K; k++) {
      for (let j = 1; j <= d; j++) {
        grad[k * (d + 1) + j]! += w[k]![j]!
        hess[k * (d + 1) + j]![k * (d + 1) + j]! += 1
      }
      // The softmax is unchanged by a common intercept shift: a tiny damping keeps H invertible.
      hess[k * (d + 1)]![k * (d + 1)]! += 1e-9
    }
    const norm = Math.sqrt(grad.reduce((s, g) => s + g * g, 0))
    if (norm < 1e-9 * xs.length) break
    const step = solve(hess, grad)
    let t = 1
    for (;;) {
      const trial = w.map((wk, k) => wk.map((v, j) => v - t * step[k * (d + 1) + j]!))
      const value = logisticObjective(trial, xs, yIndex)
      if (value <= objective || t < 1e-8) {
        trial.forEach((wk, k) => (w[k] = wk))
        objective = value
        break
      }
      t /= 2
    }
  }
  const probabilities = (rows: Matrix) => rows.map((r) => {
    const row = [1, ...scale.apply(r)]
    return softmaxRow(w.map((wk) => wk.reduce((s, v, j) => s + v * row[j]!, 0)))
  })
  return {
    classes,
    weights: w,
    parameters: P,
    iterations,
    probabilities,
    predict: (rows) => probabilities(rows).map((p) => classes[p.indexOf(Math.max(...p))]!),
  }
}

/** The most frequent label; ties go to the smallest label, as scikit-learn's DummyClassifier. */
export function majorityClass(y: readonly Label[]): { label: Label; share: number } {
  const counts = new Map<Label, number>()
  for (const v of y) counts.set(v, (counts.get(v) ?? 0) + 1)
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  return { label: sorted[0]![0], share: sorted[0]![1] / y.length }
}
