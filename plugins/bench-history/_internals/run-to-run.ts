/**
 * Run-to-run variation. The samples of one run are not the whole story: each run (a process, a
 * night) shifts a statistic by its own amount — JIT decisions, memory layout, machine load —
 * and tails (the p99) shift most. A within-run test cannot see that, so it calls such shifts
 * significant. This check treats each baseline run's statistic as one draw: on the log scale,
 * the current run's value is tested against the K baseline values with the Student-t
 * prediction interval for a new observation,
 *
 *   d = log(current) − mean(log baseline_k),  se = s · √(1 + 1/K),  t = d / se,  df = M − 1,
 *
 * where s is the standard deviation of the log values of the M most recent comparable runs
 * (the "spread" runs, up to `SPREAD_RUNS`; by default the K baseline runs themselves): a
 * longer history estimates the runs' variation better than the K runs that set the level.
 * `runToRun` itself needs M ≥ 2; the comparisons apply it from `SPREAD_MIN_RUNS` runs on.
 */
import tCdf from '@stdlib/stats-base-dists-t-cdf'
import tQuantile from '@stdlib/stats-base-dists-t-quantile'

export interface RunToRun {
  /** Ratio of the current statistic to the geometric mean of the baseline runs'. */
  ratio: number
  low: number
  high: number
  p: number
  /** Runs the spread was estimated from. */
  runs: number
}

/** How many recent runs estimate the run-to-run spread (with the K baseline runs among them). */
export const SPREAD_RUNS = 20
/**
 * Fewer comparable runs than this and the spread is unknown: a change seen within one run may
 * be run-to-run variation (a benchmark's runs can differ by 2× from JIT decisions alone), so
 * it is not called. From 3 runs (df = 2) the t interval is wide but valid; it narrows as the
 * history grows (99% quantile 9.9 at df 2, 4.6 at df 4, 2.9 at df 19).
 */
export const SPREAD_MIN_RUNS = 3

const meanOf = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length

export function runToRun(baselineStats: readonly number[], currentStat: number, confidence: number, spreadStats: readonly number[] = baselineStats): RunToRun | undefined {
  const k = baselineStats.length
  const m = spreadStats.length
  if (k < 1 || m < 2 || !(currentStat > 0) || [...baselineStats, ...spreadStats].some((v) => !(v > 0))) return undefined
  const spreadLogs = spreadStats.map(Math.log)
  const spreadMean = meanOf(spreadLogs)
  const s = Math.sqrt(spreadLogs.reduce((a, v) => a + (v - spreadMean) ** 2, 0) / (m - 1))
  const d = Math.log(currentStat) - meanOf(baselineStats.map(Math.log))
  const se = s * Math.sqrt(1 + 1 / k)
  if (se === 0) return { ratio: Math.exp(d), low: Math.exp(d), high: Math.exp(d), p: d === 0 ? 1 : 0, runs: m }
  const df = m - 1
  const half = tQuantile(1 - (1 - confidence) / 2, df) * se
  return { ratio: Math.exp(d), low: Math.exp(d - half), high: Math.exp(d + half), p: Math.min(1, 2 * tCdf(-Math.abs(d / se), df)), runs: m }
}
