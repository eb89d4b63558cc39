/**
 * `expect(result).toMeetBudget({ p99Ms, p50Ms, throughputMin, rssMb, rssDeltaMb, loadMs })` on
 * a benchOnnx or bench result:
 * fails listing every breached budget with its observed value and confidence interval. A budget
 * whose CI (widened by the timer's error for timed figures) straddles the limit neither passes
 * nor fails: the matcher passes and records, with the reason in one sentence, an
 * `inconclusive` check, which makes the test inconclusive (`--inconclusive fail` in CI gates
 * on it).
 */
import type { MatcherFunction } from 'expect'
import { recordCheck } from 'mltest/plugin'
import { budgetFigures } from './_internals/figures.ts'
import { benchmarkName, formatMethod } from './_internals/format-report.ts'
import { checkBudget, isBenchResult, judgeBudget, type Budget, type BudgetLine } from './_internals/judge-budget.ts'

const mark = { met: '✓', breached: '✗', inconclusive: '~' } as const

function list(lines: BudgetLine[]): string {
  return lines.map((l) => `  ${mark[l.outcome]} ${l.text}`).join('\n')
}

export const toMeetBudget: MatcherFunction<[budget: Budget]> = function (received, budget) {
  const head = `expect(result)${this.isNot ? '.not' : ''}.toMeetBudget(budget)`
  if (!isBenchResult(received)) {
    throw new Error(`${head}\n\nreceived is not a benchOnnx or bench result — pass the value returned by await benchOnnx(...) or await bench(...)`)
  }
  try {
    checkBudget(budget, received)
  } catch (error) {
    throw new Error(`${head}\n\nInvalid budget: ${(error as Error).message}`)
  }
  const { verdict, lines, reason } = judgeBudget(received, budget)
  const breached = lines.filter((l) => l.outcome === 'breached')
  const rest = lines.filter((l) => l.outcome !== 'breached')
  const method = formatMethod(received)
  const name = benchmarkName(received)
  if (!this.isNot) {
    const summary = `${name}: ${breached.length} of ${lines.length} budgets breached` +
      (verdict === 'inconclusive' ? `, ${lines.filter((l) => l.outcome === 'inconclusive').length} inconclusive (CI straddles the budget or is unbounded)` : '')
    const metrics: Record<string, number | string | null> = { ...(received.kind === 'bench' ? { name } : { model: name }), budgets: lines.length, breached: breached.length, timerErrorNs: received.timer.errorNs }
    for (const l of lines) {
      const key = `${l.budget}${l.batchSize === undefined ? '' : `.b${l.batchSize}`}`
      metrics[`${key}.limit`] = l.limit
      metrics[`${key}.observed`] = l.observed
      if (l.ci) {
        // JSON has no Infinity: an unbounded end of an order-statistic CI is null.
        metrics[`${key}.ciLow`] = Number.isFinite(l.ci.low) ? l.ci.low : null
        metrics[`${key}.ciHigh`] = Number.isFinite(l.ci.high) ? l.ci.high : null
      }
      if (l.judgedCi) {
        // The bounds the outcome was judged on: the CI widened by the timer's error.
        metrics[`${key}.judgedCiLow`] = Number.isFinite(l.judgedCi.low) ? l.judgedCi.low : null
        metrics[`${key}.judgedCiHigh`] = Number.isFinite(l.judgedCi.high) ? l.judgedCi.high : null
      }
    }
    recordCheck({ check: 'toMeetBudget', practice: 'computational-performance', verdict, metrics, summary, ...(reason ? { reason } : {}), figures: budgetFigures(received, lines) })
  }
  if (verdict === 'fail') {
    return {
      pass: false,
      message: () =>
        `${head}\n\n${name} breached ${breached.length} of ${lines.length} budgets:\n${list(breached)}` +
        (rest.length ? `\nother budgets:\n${list(rest)}` : '') +
        `\n${method}`,
    }
  }
  const note = verdict === 'inconclusive' ? ` (some inconclusive: ${reason})` : ''
  return {
    pass: true,
    message: () => `${head}\n\nExpected a breached budget, but ${name} met every budget${note}:\n${list(lines)}\n${method}`,
  }
}
