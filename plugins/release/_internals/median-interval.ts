/**
 * A distribution-free confidence interval for a median: order statistics x(j) and x(n-j+1)
 * with j the largest rank such that P(B <= j-1) <= alpha/2 for B ~ Binomial(n, 1/2). Its
 * coverage is at least 1 - alpha exactly, whatever the latency distribution (Conover,
 * "Practical Nonparametric Statistics", 3rd ed., §3.2; for n = 30 at 95% the ranks are 10 and
 * 21, coverage 95.7%, as its table gives).
 */

/** log of C(n, k) * 0.5^n, summed in log space so n in the thousands cannot underflow. */
function logBinomialHalf(n: number, k: number): number {
  let log = -n * Math.LN2
  for (let i = 1; i <= k; i++) log += Math.log(n - k + i) - Math.log(i)
  return log
}

/** P(B <= k) for B ~ Binomial(n, 1/2). */
export function binomialHalfCdf(n: number, k: number): number {
  let sum = 0
  for (let i = 0; i <= k; i++) sum += Math.exp(logBinomialHalf(n, i))
  return Math.min(1, sum)
}

export interface MedianInterval {
  median: number
  /** Undefined when n is too small for any interval at this confidence (n < 6 at 95%). */
  low?: number
  high?: number
  /** 1-based ranks of the order statistics used. */
  ranks?: [number, number]
  /** The interval's exact coverage (>= the confidence asked for). */
  coverage?: number
}

export function medianInterval(values: readonly number[], confidence = 0.95): MedianInterval {
  const sorted = [...values].sort((a, b) => a - b)
  const n = sorted.length
  if (n === 0) throw new RangeError('medianInterval: no values')
  const median = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2
  const tail = (1 - confidence) / 2
  let j = 0
  while (j + 1 <= n && binomialHalfCdf(n, j) <= tail) j++
  // j is now the largest rank with P(B <= j-1) <= tail (0 when even rank 1 is too wide).
  if (j < 1 || j > n - j + 1) return { median }
  return { median, low: sorted[j - 1]!, high: sorted[n - j]!, ranks: [j, n - j + 1], coverage: 1 - 2 * binomialHalfCdf(n, j - 1) }
}
