/**
 * The failure report of `checkStability` and the error that carries it. The message is the
 * whole story a reader needs: which property broke, the smallest input that breaks it,
 * what the function returned, how hard fast-check looked, and how to replay it exactly.
 */
import { relative } from 'node:path'
import { CheckFailure, formatTable, type TestContext } from 'mltest/plugin'
import { formatValue } from './format.ts'

/** What broke, for one input: thrown by the property fast-check runs, read back from its details. */
export class Violation {
  constructor(
    readonly property: string,
    readonly reason: string,
    readonly output: unknown,
    readonly hasOutput: boolean,
  ) {}
  toString(): string {
    return `${this.property}: ${this.reason}`
  }
}

export interface FailureDetails {
  property: string
  reason: string
  /** The shrunk input (the value, or the argument tuple when `inputs` is an array). */
  counterexample: unknown
  output: unknown
  seed: number
  path: string
  runs: number
  shrinks: number
}

/** Thrown when a property breaks: a `CheckFailure` (filed as an assertion failure) carrying the details. */
export class StabilityError extends CheckFailure implements FailureDetails {
  readonly property: string
  readonly reason: string
  readonly counterexample: unknown
  readonly output: unknown
  readonly seed: number
  readonly path: string
  readonly runs: number
  readonly shrinks: number

  constructor(message: string, details: FailureDetails) {
    super(message)
    this.property = details.property
    this.reason = details.reason
    this.counterexample = details.counterexample
    this.output = details.output
    this.seed = details.seed
    this.path = details.path
    this.runs = details.runs
    this.shrinks = details.shrinks
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The command that reruns just this test; the run seed comes from the runner when it tells us. */
function rerunLine(test: TestContext): string {
  const runSeed = typeof test.runSeed === 'number' ? String(test.runSeed) : '<run seed>'
  const pattern = `^${escapeRegExp(test.fullName)}$`.replace(/"/g, '\\"')
  return `mltest run ${relative(process.cwd(), test.file)} --seed ${runSeed} -t "${pattern}"`
}

export interface ReportInput {
  details: FailureDetails
  /** Whether `inputs` was a tuple of arbitraries (the counterexample lists one line per argument). */
  spread: boolean
  hasOutput: boolean
  test: TestContext | undefined
}

export function failureReport({ details, spread, hasOutput, test }: ReportInput): string {
  const { property, reason, counterexample, output, seed, path, runs, shrinks } = details
  const rows: string[][] = []
  if (spread) {
    rows.push(['counterexample:', ''])
    ;(counterexample as unknown[]).forEach((arg, i) => rows.push([`  arg ${i}:`, formatValue(arg, 'input')]))
  } else {
    rows.push(['counterexample:', formatValue(counterexample, 'input')])
  }
  if (hasOutput) rows.push(['output:', formatValue(output, 'output')])
  rows.push(['broken:', reason])
  rows.push(['replay:', `checkStability(fn, { ...options, seed: ${seed}, path: "${path}" })`])
  if (test) rows.push(['rerun:', rerunLine(test)])
  const head = `checkStability: ${property} broke after ${runs} run${runs === 1 ? '' : 's'} (counterexample shrunk ${shrinks} time${shrinks === 1 ? '' : 's'})`
  return `${head}\n${formatTable(rows, { indent: '  ', gap: ' ' })}`
}
