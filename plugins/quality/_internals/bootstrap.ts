/**
 * Percentile bootstrap confidence intervals, seeded from the running test so a verdict is
 * the same on every run of the same code (`--seed` replays it). Rows are resampled with
 * replacement; the statistic sees the resampled row indices, so any metric (or several
 * arrays at once) can be bootstrapped. The paired variant draws one set of indices for two
 * prediction arrays and bootstraps the difference, as a model comparison needs.
 */
import { createRng, currentTest, deriveSeed, quantileSorted } from 'mltest/plugin'

export interface BootstrapOptions {
  /** Seed of the resampling; derive it with `bootstrapSeed` (from the running test). */
  seed: number
  /** Resamples (default 2000). */
  resamples?: number
  /** Two-sided confidence level in (0, 1) (default 0.95). */
  confidence?: number
}

export interface BootstrapInterval {
  /** The statistic on the rows as given. */
  estimate: number
  lower: number
  upper: number
  confidence: number
  method: 'percentile bootstrap'
  resamples: number
  /**
   * Resamples where the statistic was defined (finite, did not throw). A resample of a small
   * slice may hold one class only, where e.g. ROC AUC is undefined; those are left out and
   * the check should say so (or be inconclusive when many are).
   */
  valid: number
  seed: number
}

export const DEFAULT_RESAMPLES = 2000

/** The seed of a check's bootstrap: `given`, else derived from the running test's seed and a label. */
export function bootstrapSeed(label: string, given?: number): number {
  return given ?? deriveSeed(currentTest()?.seed ?? 0, 'bootstrap', label)
}

/** Type-7 quantiles, from the SDK (one implementation for every check). */
export { quantileSorted }

/** A uniform integer source in [0, n): a 32-bit xorshift seeded from mltest's PRNG (fast enough for millions of draws). */
export function indexSource(seed: number): (n: number) => number {
  let state = createRng(seed).int(1, 0xffffffff) >>> 0
  return (n) => {
    state ^= state << 13
    state >>>= 0
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    return Math.floor((state / 4294967296) * n)
  }
}

function safe(statistic: (indices: Uint32Array) => number, indices: Uint32Array): number {
  try {
    const v = statistic(indices)
    return Number.isFinite(v) ? v : Number.NaN
  } catch {
    return Number.NaN
  }
}

/**
 * Percentile bootstrap interval of `statistic` over `n` rows: the statistic is computed on
 * `resamples` resamples of the row indices (with replacement, each of size n), and the
 * interval is the (1 − confidence)/2 and (1 + confidence)/2 quantiles of those values.
 */
export function bootstrapInterval(n: number, statistic: (indices: Uint32Array) => number, options: BootstrapOptions): BootstrapInterval {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`bootstrapInterval: n must be a positive integer (got ${n})`)
  const resamples = options.resamples ?? DEFAULT_RESAMPLES
  const confidence = options.confidence ?? 0.95
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`bootstrapInterval: resamples must be a positive integer (got ${resamples})`)
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`bootstrapInterval: confidence must be in (0, 1) (got ${confidence})`)
  const identity = new Uint32Array(n)
  for (let i = 0; i < n; i++) identity[i] = i
  const estimate = statistic(identity)
  const draw = indexSource(options.seed)
  const values: number[] = []
  const indices = new Uint32Array(n)
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) indices[i] = draw(n)
    const v = safe(statistic, indices)
    if (!Number.isNaN(v)) values.push(v)
  }
  values.sort((a, b) => a - b)
  const tail = (1 - confidence) / 2
  return {
    estimate,
    lower: quantileSorted(values, tail),
    upper: quantileSorted(values, 1 - tail),
    confidence,
    method: 'percentile bootstrap',
    resamples,
    valid: values.length,
    seed: options.seed,
  }
}

/** Picks `values` at `indices` (a resample's rows). */
export function pick<T>(values: readonly T[], indices: Uint32Array): T[] {
  const out = new Array<T>(indices.length)
  for (let i = 0; i < indices.length; i++) out[i] = values[indices[i]!]!
  return out
}

/** Bootstrap interval of `metric(yTrue, yPred)`. */
export function bootstrapMetric<T, P>(yTrue: readonly T[], yPred: readonly P[], metric: (yTrue: T[], yPred: P[]) => number, options: BootstrapOptions): BootstrapInterval {
  if (yTrue.length !== yPred.length) throw new RangeError(`bootstrapMetric: yTrue has ${yTrue.length} values but yPred has ${yPred.length}`)
  return bootstrapInterval(yTrue.length, (idx) => metric(pick(yTrue, idx), pick(yPred, idx)), options)
}

export interface PairedBootstrapInterval extends BootstrapInterval {
  /** The metric of each prediction array on the rows as given. */
  metricA: number
  metricB: number
}

/**
 * Paired bootstrap of `metric(yTrue, predA) − metric(yTrue, predB)`: each resample draws
 * one set of rows for both, so the interval reflects the difference between the models,
 * not the variation of the data they share (e.g. a complex model against its baseline).
 */
export function pairedBootstrap<T, P>(
  yTrue: readonly T[],
  predA: readonly P[],
  predB: readonly P[],
  metric: (yTrue: T[], yPred: P[]) => number,
  options: BootstrapOptions,
): PairedBootstrapInterval {
  if (yTrue.length !== predA.length || yTrue.length !== predB.length) {
    throw new RangeError(`pairedBootstrap: yTrue, predA and predB must have one value per row (got ${yTrue.length}, ${predA.length}, ${predB.length})`)
  }
  const interval = bootstrapInterval(yTrue.length, (idx) => {
    const t = pick(yTrue, idx)
    return metric(t, pick(predA, idx)) - metric(t, pick(predB, idx))
  }, options)
  return { ...interval, metricA: metric([...yTrue], [...predA]), metricB: metric([...yTrue], [...predB]) }
}

/**
 * Bootstrap interval of a metric that a confusion matrix determines: rows are coded once as
 * (true, predicted) pairs over `labels`, and each resample only counts pairs, so a resample
 * costs O(n) integer increments instead of a metric recomputed from arrays.
 */
export function bootstrapConfusion<L>(
  yTrue: readonly L[],
  yPred: readonly L[],
  labels: readonly L[],
  fromConfusion: (labels: readonly L[], matrix: number[][]) => number,
  options: BootstrapOptions,
): BootstrapInterval {
  const k = labels.length
  const index = new Map<L, number>(labels.map((label, i) => [label, i]))
  const codes = Uint32Array.from(yTrue, (t, i) => index.get(t)! * k + index.get(yPred[i]!)!)
  const counts = new Float64Array(k * k)
  const matrixOf = () => Array.from({ length: k }, (_, r) => Array.from(counts.subarray(r * k, r * k + k)))
  return bootstrapInterval(yTrue.length, (idx) => {
    counts.fill(0)
    for (let i = 0; i < idx.length; i++) counts[codes[idx[i]!]!]!++
    return fromConfusion(labels, matrixOf())
  }, options)
}
