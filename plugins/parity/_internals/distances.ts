/**
 * The distribution distances TFDV uses for skew: L-infinity between category frequencies, and
 * Jensen-Shannon between binned numeric distributions (bins cut at training quantiles). Both are bounded in [0, 1], so one
 * threshold means the same thing for every feature. Jensen-Shannon and the quantile bins are
 * the SDK's (mltest/plugin), shared with the quality plugin's drift check; re-exported here.
 */

export { binFractions, describeBinning, jensenShannon, quantileBinning } from 'mltest/plugin'
export type { Binning, JensenShannon } from 'mltest/plugin'

export interface LInfinity {
  /** max over categories of |p(c) - q(c)|. */
  distance: number
  /** The category with the largest gap. */
  category: string
  training: number
  serving: number
}

/** L-infinity distance between two category-frequency maps (counts, normalised here). */
export function lInfinity(training: ReadonlyMap<string, number>, serving: ReadonlyMap<string, number>): LInfinity {
  const total = (m: ReadonlyMap<string, number>) => [...m.values()].reduce((a, b) => a + b, 0)
  const nt = total(training)
  const ns = total(serving)
  const best: LInfinity = { distance: 0, category: '', training: 0, serving: 0 }
  for (const category of new Set([...training.keys(), ...serving.keys()])) {
    const p = nt ? (training.get(category) ?? 0) / nt : 0
    const q = ns ? (serving.get(category) ?? 0) / ns : 0
    if (Math.abs(p - q) > best.distance || best.category === '') Object.assign(best, { distance: Math.abs(p - q), category, training: p, serving: q })
  }
  return best
}
