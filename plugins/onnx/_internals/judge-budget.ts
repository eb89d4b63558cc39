/**
 * Compares a benchmark with a budget. Each figure with a confidence interval is judged on
 * the interval, not the point: met when the whole 95% CI is within budget, breached when the
 * whole CI is beyond it, and inconclusive when the CI straddles the limit (the data cannot
 * tell). Percentile CIs are order-statistic intervals, unbounded above when there are too
 * few runs to bound the quantile, so a p99 "at most" budget is then inconclusive. Figures
 * measured once (load time, rss) are judged on their value.
 */
import type { BenchOnnxResult } from '../bench-onnx.ts'
import { ms, perSecond } from './format-report.ts'
import type { Interval } from './latency-stats.ts'
import { samplesForUpperBound, type QuantileInterval } from './quantile-interval.ts'

/** A limit for every batch size, or per batch size: `{ 1: 2, 32: 20 }`. */
export type BudgetValue = number | Record<number, number>

export interface Budget {
  /** Median latency, ms, at most. */
  p50Ms?: BudgetValue
  /** 99th-percentile latency, ms, at most. */
  p99Ms?: BudgetValue
  /** Throughput, samples per second, at least. */
  throughputMin?: BudgetValue
  /** Peak rss of the whole process (runner and other workers included in thread mode), MiB, at most. */
  rssMb?: number
  /** Peak rss minus rss before the model loaded, MiB, at most: what this model added. */
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
  limit: number
  outcome: BudgetOutcome
  text: string
}

export interface BudgetJudgement {
  verdict: 'pass' | 'fail' | 'inconclusive'
  lines: BudgetLine[]
}

const KEYS: Array<keyof Budget> = ['p50Ms', 'p99Ms', 'throughputMin', 'rssMb', 'rssDeltaMb', 'loadMs']
const SINGLE: Array<keyof Budget> = ['rssMb', 'rssDeltaMb', 'loadMs']

export function isBenchResult(value: unknown): value is BenchOnnxResult {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'benchOnnx'
}

/** Throws a TypeError naming the bad key, so a typo (`p99`) cannot silently pass. */
export function checkBudget(budget: unknown, result: BenchOnnxResult): asserts budget is Budget {
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
  if ((budget as Budget).loadMs !== undefined && result.loadMs === null) {
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

export function judgeBudget(result: BenchOnnxResult, budget: Budget): BudgetJudgement {
  const lines: BudgetLine[] = []
  const add = (line: Omit<BudgetLine, 'outcome' | 'text'>, atMost: boolean, unit: (x: number) => string, what: string) => {
    const outcome = judge(line.observed, line.limit, atMost, line.ci)
    const verb = outcome === 'met' ? 'within' : outcome === 'breached' ? (atMost ? 'exceeds' : 'below') : 'CI straddles'
    const text = `${what} ${unit(line.observed)} (${describeCi(line.ci, unit)}) ${verb} budget ${atMost ? '<=' : '>='} ${unit(line.limit)}`
    lines.push({ ...line, outcome, text })
  }
  const msUnit = (x: number) => `${ms(x)} ms`
  for (const b of result.batches) {
    const tag = `batch ${b.batchSize} (n=${b.iterations})`
    const p50 = limitFor(budget.p50Ms, b.batchSize)
    if (p50 !== undefined) add({ budget: 'p50Ms', batchSize: b.batchSize, observed: b.p50Ms, ci: b.p50CiMs, limit: p50 }, true, msUnit, `${tag} p50 latency`)
    const p99 = limitFor(budget.p99Ms, b.batchSize)
    if (p99 !== undefined) add({ budget: 'p99Ms', batchSize: b.batchSize, observed: b.p99Ms, ci: b.p99CiMs, limit: p99 }, true, msUnit, `${tag} p99 latency`)
    const tput = limitFor(budget.throughputMin, b.batchSize)
    if (tput !== undefined) {
      add({ budget: 'throughputMin', batchSize: b.batchSize, observed: b.throughput, ci: b.throughputCi, limit: tput }, false, (x) => `${perSecond(x)}/s`, `${tag} throughput`)
    }
  }
  const mib = (x: number) => `${x.toFixed(1)} MiB`
  if (budget.rssMb !== undefined) add({ budget: 'rssMb', observed: result.memory.rssPeakMb, limit: budget.rssMb }, true, mib, 'peak rss of the whole process')
  if (budget.rssDeltaMb !== undefined && result.memory.rssDeltaMb !== null) {
    add({ budget: 'rssDeltaMb', observed: result.memory.rssDeltaMb, limit: budget.rssDeltaMb }, true, mib, 'rss growth (peak − before load)')
  }
  if (budget.loadMs !== undefined && result.loadMs !== null) add({ budget: 'loadMs', observed: result.loadMs, limit: budget.loadMs }, true, msUnit, 'load time')
  const verdict = lines.some((l) => l.outcome === 'breached') ? 'fail' : lines.some((l) => l.outcome === 'inconclusive') ? 'inconclusive' : 'pass'
  return { verdict, lines }
}
