/**
 * Holm's step-down correction (Holm 1979): one check tests every feature's distance and
 * rates, and without a correction a check of 7 features calls about one random split of the
 * same data in four skewed. Holm keeps the chance of any false alarm in the check at most alpha
 * under any dependence between the tests, and never rejects less than Bonferroni does.
 */

/**
 * Holm-adjusted p-values of the tests that ran, in their order, out of `hypotheses` tests in all
 * (the others did not run: their p-value counts as 1). With the tests sorted by p ascending,
 * the adjusted value of the j-th is max over k <= j of min(1, (hypotheses - k + 1) · p_(k));
 * a test is rejected at family-wise level alpha iff its adjusted p-value is below alpha.
 */
export function holmAdjust(pValues: readonly number[], hypotheses: number): number[] {
  if (pValues.length > hypotheses) throw new RangeError(`holmAdjust: ${pValues.length} p-values but only ${hypotheses} hypotheses`)
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p || a.i - b.i)
  const adjusted = new Array<number>(pValues.length)
  let running = 0
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (hypotheses - rank) * p))
    adjusted[i] = running
  })
  return adjusted
}

/**
 * Whether no split of `a` + `b` rows could be rare enough to reach `level`: a permutation or
 * exact test's p-value is at least 1 / C(a + b, min(a, b)), the chance of the observed split
 * itself. Summed in logs, stopping as soon as the count of splits exceeds 1 / level.
 */
export function tooFewRowsToReach(a: number, b: number, level: number): boolean {
  const n = a + b
  const k = Math.min(a, b)
  // A little slack: at C(n, k) = 1 / level exactly, the smallest p equals level and is not below it.
  const limit = -Math.log(level) + 1e-9
  let logSplits = 0
  for (let i = 1; i <= k; i++) {
    logSplits += Math.log((n - k + i) / i)
    if (logSplits > limit) return false
  }
  return true
}
