/**
 * Exact p-value for a difference between two rates (Fisher's exact test, two-sided by the
 * rate difference). A permutation test of 0/1 flags costs O(rows × permutations) and only
 * estimates p; for counts the permutation distribution is known in closed form. Under H0
 * (flags exchangeable between the sides), the training-side count K of the M flagged rows
 * among N = nT + nS is Hypergeometric(N, M, nT), and
 *   p = Σ P(K = k) over k with |k/nT − (M − k)/nS| >= observed − 1e-12.
 * The probabilities come from the ratio P(k + 1)/P(k), walked out from the mode, so nothing
 * overflows for N in the hundreds of thousands and the work is O(min(M, nT)).
 */

export const EXACT_RATE_TEST = 'exact hypergeometric (Fisher) test'

/** Hypergeometric(N, M, n) probabilities for k = low..high, normalised to sum to 1. */
export function hypergeometricPmf(total: number, flagged: number, drawn: number): { low: number; probabilities: Float64Array } {
  const low = Math.max(0, flagged - (total - drawn))
  const high = Math.min(flagged, drawn)
  const weights = new Float64Array(high - low + 1)
  // Mode of the hypergeometric: floor((n + 1)(M + 1) / (N + 2)), clamped to the support.
  const mode = Math.min(high, Math.max(low, Math.floor(((drawn + 1) * (flagged + 1)) / (total + 2))))
  const up = (k: number) => ((flagged - k) * (drawn - k)) / ((k + 1) * (total - flagged - drawn + k + 1))
  weights[mode - low] = 1
  for (let k = mode; k < high; k++) weights[k + 1 - low] = weights[k - low]! * up(k)
  for (let k = mode; k > low; k--) weights[k - 1 - low] = weights[k - low]! / up(k - 1)
  let sum = 0
  for (const w of weights) sum += w
  for (let i = 0; i < weights.length; i++) weights[i]! /= sum
  return { low, probabilities: weights }
}

/**
 * P(|K/nT − (M − K)/nS| >= observed) for K ~ Hypergeometric(nT + nS, M, nT), where
 * M = trainingCount + servingCount; the 1e-12 slack counts the observed table itself despite
 * rounding in the rate difference.
 */
export function exactRatePValue(trainingCount: number, trainingRows: number, servingCount: number, servingRows: number): number {
  if (trainingRows === 0 || servingRows === 0) return 1
  const flagged = trainingCount + servingCount
  const observed = Math.abs(trainingCount / trainingRows - servingCount / servingRows)
  const { low, probabilities } = hypergeometricPmf(trainingRows + servingRows, flagged, trainingRows)
  let p = 0
  for (let i = 0; i < probabilities.length; i++) {
    const k = low + i
    if (Math.abs(k / trainingRows - (flagged - k) / servingRows) >= observed - 1e-12) p += probabilities[i]!
  }
  return Math.min(1, p)
}
