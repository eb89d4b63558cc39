/**
 * The Wilson score interval of a proportion. Used instead of the bootstrap for accuracy: the
 * percentile bootstrap of a slice the model gets entirely right is [1, 1] whatever its size,
 * while 23 of 23 right only shows the true accuracy is above 0.857 (95%).
 */
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile'

export function wilsonInterval(successes: number, trials: number, confidence: number): { lower: number; upper: number } {
  if (trials === 0) return { lower: Number.NaN, upper: Number.NaN }
  const z = normalQuantile(1 - (1 - confidence) / 2, 0, 1)
  const p = successes / trials
  const z2 = z * z
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
  const half = (z / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) }
}
