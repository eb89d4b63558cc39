/**
 * Compares a benchmark with a budget. Each figure with a confidence interval is judged on
 * the interval, not the point: met when the whole 95% CI is within budget, breached when the
 * whole CI is beyond it, and inconclusive when the CI straddles the limit (the data cannot
 * tell). Percentile CIs are order-statistic intervals, unbounded above when there are too
 * few runs to bound the quantile, so a p99 "at most" budget is then inconclusive. Figures
 * measured once (load time, rss) are judged on their value.
 *
 * The clock: every timed sample is known only to ±e, e = the timer's step + one read's cost
 * (timer-resolution.ts). Shifting every sample by at most e shifts every order statistic and
 * the mean by at most e, so a latency CI is judged widened to [low − e, high + e] (throughput
 * through the mean latency the same way). The timer thus decides nothing unless a budget lies
 * within e of a CI: a 0.01 ms median is met against a 1 ms budget whatever the clock.
 *
 * benchOnnx and bench results are judged alike; a bench result has no load (no loadMs), and
 * its rssDeltaMb is the growth from before its first call.
 */
import type { BenchFunctionResult } from '../bench.ts'
import type { BenchOnnxResult } from '../bench-onnx.ts'
import { ms, perSecond } from './format-report.ts'
import type { Interval } from './latency-stats.ts'
import { samplesForUpperBound, type QuantileInterval } from './quantile-interval.ts'
import { formatNs } from './timer-resolution.ts'

/** A limit for every batch size, or per batch size: `{ 1: 2, 32: 20 }`. */
export type BudgetValue = number | Record<number, number>

export interface Budget {
  /** Median latency, ms, at most. */
  p50Ms?: BudgetValue
  /** 99th-percentile latency, ms, at most. */
  p99Ms?: BudgetValue
  /** Throughput, samples (bench: items) per second, at least. */
  throughputMin?: BudgetValue
  /** Peak rss of the whole process (runner and other workers included in thread mode), MiB, at most. */
  rssMb?: number
  /** Peak rss minus rss before the model loaded (bench: before the first call), MiB, at most: what the benchmark added. */
  rssDeltaMb?: number
  /** Model load (session creation) time, ms, at most. */
  loadMs?: number
}

export type BudgetOutcome = 'met' | 'breached' | 'inconclusive'

export interface BudgetLine {
  budget: keyof Budget
  batchSize?: number
  observed: number
  ci?: Interval
  /** For timed figures: the CI widened by the timer's error, which the outcome is judged on. */
  judgedCi?: Interval
  limit: number
  outcome: BudgetOutcome
  text: string
  /** Why the outcome is inconclusive, one sentence; absent otherwise. */
  reason?: string
}

export interface BudgetJudgement {
  verdict: 'pass' | 'fail' | 'inconclusive'
  lines: BudgetLine[]
  /** Why the verdict is inconclusive: the inconclusive budgets' reasons; absent otherwise. */
  reason?: string
}

const KEYS: Array<keyof Budget> = ['p50Ms', 'p99Ms', 'throughputMin', 'rssMb', 'rssDeltaMb', 'loadMs']
const SINGLE: Array<keyof Budget> = ['rssMb', 'rssDeltaMb', 'loadMs']

/** What toMeetBudget judges: a benchOnnx or a bench result. */
export type BenchmarkResult = BenchOnnxResult | BenchFunctionResult

export function isBenchResult(value: unknown): value is BenchmarkResult {
  const kind = typeof value === 'object' && value !== null ? (value as { kind?: unknown }).kind : undefined
  return kind === 'benchOnnx' || kind === 'bench'
}

/** Throws a TypeError naming the bad key, so a typo (`p99`) cannot silently pass. */
export function checkBudget(budget: unknown, result: BenchmarkResult): asserts budget is Budget {
  if (typeof budget !== 'object' || budget === null) throw new TypeError(`the budget must be an object with any of ${KEYS.join(', ')}`)
  if (Object.keys(budget).length === 0) throw new TypeError(`the budget is empty — set at least one of ${KEYS.join(', ')}`)
  const batchSizes = result.batches.map((b) => b.batchSize)
  for (const [key, value] of Object.entries(budget)) {
    if (!KEYS.includes(key as keyof Budget)) throw new TypeError(`unknown budget "${key}" — budgets are ${KEYS.join(', ')}`)
    const perBatch = typeof value === 'object' && value !== null && !SINGLE.includes(key as keyof Budget)
    const limits = perBatch ? Object.entries(value as Record<string, unknown>) : [['', value]]
    for (const [batch, limit] of limits) {
      if (typeof limit !== 'number' || !(limit >= 0)) throw new TypeError(`budget ${key}${batch ? `[${batch}]` : ''} must be a non-negative number, got ${JSON.stringify(limit)}`)
      if (batch && !batchSizes.includes(Number(batch))) {
        throw new TypeError(`budget ${key} names batch size ${batch}, but the benchmark ran batch sizes ${batchSizes.join(', ')}`)
      }
    }
  }
  if ((budget as Budget).loadMs !== undefined && result.kind === 'bench') {
    throw new TypeError('budget loadMs is a model load time, and bench() loads nothing — time the load in its own bench() call and budget its p50Ms')
  }
  if ((budget as Budget).loadMs !== undefined && result.kind === 'benchOnnx' && result.loadMs === null) {
    throw new TypeError('budget loadMs needs benchOnnx to load the model: pass the model path or bytes instead of a session')
  }
  if ((budget as Budget).rssDeltaMb !== undefined && result.memory.rssDeltaMb === null) {
    throw new TypeError('budget rssDeltaMb needs benchOnnx to load the model (it is peak rss minus rss before the load): pass the model path or bytes instead of a session')
  }
}

function limitFor(value: BudgetValue | undefined, batchSize: number): number | undefined {
  return typeof value === 'number' ? value : value?.[batchSize]
}

function judge(observed: number, limit: number, atMost: boolean, ci?: Interval): BudgetOutcome {
  const within = (x: number) => (atMost ? x <= limit : x >= limit)
  if (!ci) return within(observed) ? 'met' : 'breached'
  const best = atMost ? ci.low : ci.high
  const worst = atMost ? ci.high : ci.low
  if (within(worst)) return 'met'
  if (!within(best)) return 'breached'
  return 'inconclusive'
}

/** A latency CI widened by the timer's error `e` ms on each side (an unbounded end stays unbounded). */
function widenLatency(ci: Interval, e: number): Interval {
  return { low: ci.low - e, high: ci.high + e }
}

/** A throughput CI (batch × 1000 / mean latency) widened through the mean latency by `e` ms. */
function widenThroughput(ci: Interval, itemsPerRun: number, e: number): Interval {
  const perMs = itemsPerRun * 1000
  const fastestMean = perMs / ci.high - e
  return { low: perMs / (perMs / ci.low + e), high: fastestMean > 0 ? perMs / fastestMean : Number.POSITIVE_INFINITY }
}

function isQuantileInterval(ci: Interval): ci is QuantileInterval {
  return typeof (ci as QuantileInterval).highRank === 'number'
}

/** `95% CI a–b`, with the order statistics a percentile CI comes from, or why it has no upper bound. */
function describeCi(ci: Interval | undefined, unit: (x: number) => string): string {
  if (!ci) return 'single measurement'
  if (!isQuantileInterval(ci)) return `95% CI ${unit(ci.low)}–${unit(ci.high)}`
  const low = Number.isFinite(ci.low) ? unit(ci.low) : '−∞'
  if (Number.isFinite(ci.high)) return `95% CI ${low}–${unit(ci.high)}, order statistics ${ci.lowRank}–${ci.highRank}`
  const n = ci.highRank - 1
  return `95% CI ${low}–unbounded: ${n} runs cannot bound this percentile from above, ${samplesForUpperBound(ci.q)} can`
}

export function judgeBudget(result: BenchmarkResult, budget: Budget): BudgetJudgement {
  const lines: BudgetLine[] = []
  const errorMs = result.timer.errorNs / 1e6
  const timerError = `±${formatNs(result.timer.errorNs)}`
  const add = (line: Omit<BudgetLine, 'outcome' | 'text' | 'reason'>, atMost: boolean, unit: (x: number) => string, what: string, label = what, n?: number) => {
    const outcome = judge(line.observed, line.limit, atMost, line.judgedCi ?? line.ci)
    // Inconclusive only through the timer's error: the CI alone would have decided.
    const byTimer = outcome === 'inconclusive' && line.ci !== undefined && judge(line.observed, line.limit, atMost, line.ci) !== 'inconclusive'
    const verb = outcome === 'met' ? 'within' : outcome === 'breached' ? (atMost ? 'exceeds' : 'below') : byTimer ? `CI ${timerError} timer error straddles` : 'CI straddles'
    const text = `${what} ${unit(line.observed)} (${describeCi(line.ci, unit)}) ${verb} budget ${atMost ? '<=' : '>='} ${unit(line.limit)}`
    lines.push({ ...line, outcome, text, ...(outcome === 'inconclusive' ? { reason: inconclusiveReason(line, unit, label, n, byTimer, timerError) } : {}) })
  }
  const msUnit = (x: number) => `${ms(x)} ms`
  for (const b of result.batches) {
    const tag = `batch ${b.batchSize} (n=${b.iterations})`
    const p50 = limitFor(budget.p50Ms, b.batchSize)
    if (p50 !== undefined) {
      add({ budget: 'p50Ms', batchSize: b.batchSize, observed: b.p50Ms, ci: b.p50CiMs, judgedCi: widenLatency(b.p50CiMs, errorMs), limit: p50 }, true, msUnit, `${tag} p50 latency`, `batch ${b.batchSize} p50`, b.iterations)
    }
    const p99 = limitFor(budget.p99Ms, b.batchSize)
    if (p99 !== undefined) {
      add({ budget: 'p99Ms', batchSize: b.batchSize, observed: b.p99Ms, ci: b.p99CiMs, judgedCi: widenLatency(b.p99CiMs, errorMs), limit: p99 }, true, msUnit, `${tag} p99 latency`, `batch ${b.batchSize} p99`, b.iterations)
    }
    const tput = limitFor(budget.throughputMin, b.batchSize)
    if (tput !== undefined) {
      const judgedCi = widenThroughput(b.throughputCi, b.itemsPerRun, errorMs)
      add({ budget: 'throughputMin', batchSize: b.batchSize, observed: b.throughput, ci: b.throughputCi, judgedCi, limit: tput }, false, (x) => `${perSecond(x)}/s`, `${tag} throughput`, `batch ${b.batchSize} throughput`, b.iterations)
    }
  }
  const mib = (x: number) => `${x.toFixed(1)} MiB`
  if (budget.rssMb !== undefined) add({ budget: 'rssMb', observed: result.memory.rssPeakMb, limit: budget.rssMb }, true, mib, 'peak rss of the whole process')
  if (budget.rssDeltaMb !== undefined && result.memory.rssDeltaMb !== null) {
    add({ budget: 'rssDeltaMb', observed: result.memory.rssDeltaMb, limit: budget.rssDeltaMb }, true, mib, `rss growth (peak − before ${result.kind === 'bench' ? 'the first call' : 'load'})`)
  }
  if (budget.loadMs !== undefined && result.kind === 'benchOnnx' && result.loadMs !== null) add({ budget: 'loadMs', observed: result.loadMs, limit: budget.loadMs }, true, msUnit, 'load time')
  const verdict = lines.some((l) => l.outcome === 'breached') ? 'fail' : lines.some((l) => l.outcome === 'inconclusive') ? 'inconclusive' : 'pass'
  const reason = verdict === 'inconclusive' ? lines.flatMap((l) => (l.reason ? [l.reason] : [])).join('; ') : undefined
  return { verdict, lines, ...(reason ? { reason } : {}) }
}

/** One sentence: too few runs to bound a percentile, the budget within the timer's error of the CI, or the budget inside the CI. */
function inconclusiveReason(line: Omit<BudgetLine, 'outcome' | 'text' | 'reason'>, unit: (x: number) => string, label: string, n: number | undefined, byTimer: boolean, timerError: string): string {
  const ci = line.ci!
  const runs = n === undefined ? '' : ` (n=${n})`
  if (isQuantileInterval(ci) && !Number.isFinite(ci.high)) return `${label} needs at least ${samplesForUpperBound(ci.q)} runs for an upper bound; ${ci.highRank - 1} ran`
  const end = (x: number) => (Number.isFinite(x) ? unit(x) : x > 0 ? '∞' : '−∞')
  const range = `${end(ci.low)}–${end(ci.high)}`
  if (byTimer) return `the budget ${unit(line.limit)} lies within the timer's error (${timerError} per run) of the ${label} 95% CI ${range}${runs}`
  return `the budget ${unit(line.limit)} lies inside the ${label} 95% CI ${range}${runs}`
}
