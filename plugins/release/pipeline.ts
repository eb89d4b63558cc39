/**
 * `pipelineTest`: the ML pipeline run end to end as one test: named stages (assemble →
 * features → train → verify → export → serve, or your own), each given the previous stage's
 * output and every earlier artifact. Each stage's duration and output are recorded; the first
 * stage that throws fails the test with its name and error, and the stages after it are
 * reported as not run. Unit tests of each piece miss what breaks between them (a renamed
 * column, a model exported with the wrong input, a server that cannot load the export).
 * Practice `pipeline-integration`.
 */
import { CheckFailure, currentTest, formatNumber, recordCheck, type AnnotationValue } from 'mltest/plugin'
import { describeOutput } from './_internals/pipeline-outputs.ts'
import { stageDurationsFigure, type StageBar } from './_internals/pipeline-figure.ts'

const CHECK = 'pipelineTest'
const performanceNow = performance.now.bind(performance)

export interface StageContext {
  /** This stage's name. */
  stage: string
  /** Every earlier stage's output, by stage name. */
  artifacts: Readonly<Record<string, unknown>>
  /** A fresh temporary folder of the running test (removed after it), for files a stage writes. */
  tmpdir(): string
}

export interface PipelineStage {
  name: string
  /** Gets the previous stage's output (the first stage gets `input`); returns this stage's output. */
  run(input: any, context: StageContext): unknown
}

export interface PipelineTestOptions {
  /** What the first stage receives (default undefined). */
  input?: unknown
}

export interface StageOutcome {
  name: string
  status: 'passed' | 'failed' | 'not run'
  durationMs: number
  /** A one-line description of its output, or the error message of a failed stage. */
  output: string
}

export interface PipelineResult {
  stages: StageOutcome[]
  /** Every stage's output, by stage name. */
  artifacts: Record<string, unknown>
  totalMs: number
}

function validateStages(stages: unknown): PipelineStage[] {
  const shape = 'pipelineTest(stages): stages must be a non-empty array of { name, run(input, context) }'
  if (!Array.isArray(stages) || stages.length === 0) throw new TypeError(`${shape} (got ${Array.isArray(stages) ? 'an empty array' : typeof stages})`)
  const seen = new Set<string>()
  stages.forEach((stage: Partial<PipelineStage> | null, i) => {
    if (typeof stage?.name !== 'string' || stage.name === '') throw new TypeError(`${shape}; stage ${i} has no name`)
    if (typeof stage.run !== 'function') throw new TypeError(`${shape}; stage "${stage.name}" has no run function`)
    if (seen.has(stage.name)) throw new TypeError(`pipelineTest: two stages are named "${stage.name}" — give each stage its own name, since later stages read artifacts by name`)
    seen.add(stage.name)
  })
  return stages as PipelineStage[]
}

function tmpdirOf(): string {
  const test = currentTest()
  if (!test) throw new Error('pipelineTest: context.tmpdir() needs a running test; call pipelineTest inside test()')
  return test.tmpdir()
}

/**
 * Runs the stages in order. Resolves with every stage's outcome and artifact when all pass;
 * throws a CheckFailure naming the first stage that threw (its error as the cause) otherwise.
 */
export async function pipelineTest(stages: readonly PipelineStage[], options: PipelineTestOptions = {}): Promise<PipelineResult> {
  const list = validateStages(stages)
  const artifacts: Record<string, unknown> = {}
  const outcomes: StageOutcome[] = []
  let previous = options.input
  let failure: { stage: string; index: number; error: unknown } | undefined
  for (const [index, stage] of list.entries()) {
    if (failure) {
      outcomes.push({ name: stage.name, status: 'not run', durationMs: 0, output: `not run (stage "${failure.stage}" failed)` })
      continue
    }
    const start = performanceNow()
    try {
      const output = await stage.run(previous, { stage: stage.name, artifacts: { ...artifacts }, tmpdir: tmpdirOf })
      const durationMs = performanceNow() - start
      artifacts[stage.name] = output
      previous = output
      outcomes.push({ name: stage.name, status: 'passed', durationMs, output: describeOutput(output) })
    } catch (error) {
      const durationMs = performanceNow() - start
      failure = { stage: stage.name, index, error }
      outcomes.push({ name: stage.name, status: 'failed', durationMs, output: (error instanceof Error ? error.message : String(error)).split('\n')[0]! })
    }
  }
  const totalMs = outcomes.reduce((sum, s) => sum + s.durationMs, 0)
  const width = Math.max(...outcomes.map((s) => s.name.length))
  const lines = outcomes.map((s, i) => `  ${String(i + 1).padStart(2)}. ${s.name.padEnd(width)}  ${s.status.padEnd(7)}  ${s.status === 'not run' ? '       ' : `${formatNumber(s.durationMs).padStart(7)} ms`}  ${s.output}`)
  const metrics: Record<string, AnnotationValue> = {
    stages: list.length,
    stagesPassed: outcomes.filter((s) => s.status === 'passed').length,
    failedStage: failure?.stage ?? null,
    totalMs,
  }
  for (const s of outcomes) {
    if (s.status === 'not run') continue
    metrics[`ms.${s.name}`] = s.durationMs
    metrics[`output.${s.name}`] = s.output
  }
  const bars: StageBar[] = outcomes.map((s, i) => ({ stage: s.name, order: i + 1, ms: s.durationMs, status: s.status }))
  const path = list.map((s) => s.name).join(' → ')
  if (failure) {
    const message = outcomes[failure.index]!.output
    const summary = `stage "${failure.stage}" (${failure.index + 1} of ${list.length}) failed: ${message}`
    recordCheck({ check: CHECK, practice: 'pipeline-integration', verdict: 'fail', metrics, summary, figures: [stageDurationsFigure(bars)] })
    throw new CheckFailure(`${CHECK}: ${summary}\n  ${path}\n${lines.join('\n')}`, { cause: failure.error })
  }
  recordCheck({
    check: CHECK,
    practice: 'pipeline-integration',
    verdict: 'pass',
    metrics,
    summary: `${list.length} stages passed in ${formatNumber(totalMs)} ms: ${path}`,
    figures: [stageDurationsFigure(bars)],
  })
  return { stages: outcomes, artifacts, totalMs }
}
