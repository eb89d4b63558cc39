/**
 * `checkCanary`: before a candidate model replaces the one in production, compare the two the
 * way a canary deployment would, without users. First the serving contracts (input and output
 * names, dtypes, shapes, opset): any mismatch fails before a request runs, because it would
 * break every request. Then recorded traffic is replayed through both: how often they
 * disagree (with a Wilson interval), how far the distribution of predictions moved, and how
 * much slower the candidate answers (interleaved requests, ratio of medians with a bootstrap
 * interval). Each gate passes when its whole interval is within its limit, fails when the
 * whole interval is beyond it, and is inconclusive otherwise. Practice `canary`.
 */
import { CheckFailure, createRng, currentTest, deriveSeed, describeTolerance, formatNumber, isClose, optionField, parseCheckOptions, recordCheck, z, type Tolerance } from 'mltest/plugin'
import { compareContracts, describeContract, type ServingContract } from './_internals/canary-contract.ts'
import { gatesFigure, latencyFigure, type GateLine } from './_internals/canary-figures.ts'
import { openModel, readTraffic, type CanaryModel, type OpenedModel, type TrafficRecord } from './_internals/canary-models.ts'
import { gate, kolmogorovSmirnov, median, pairedBootstrap, totalVariation, wilsonInterval, type GateVerdict, type Interval } from './_internals/canary-stats.ts'

export type { CanaryModel, CanaryPredict, TrafficRecord } from './_internals/canary-models.ts'
export type { ContractDim, ContractTensor, ServingContract } from './_internals/canary-contract.ts'

const CHECK = 'checkCanary'
const performanceNow = performance.now.bind(performance)

export interface CheckCanaryOptions {
  /** The model serving now: an ONNX file (path or bytes), an onnxruntime session, a predict function or `{ predict, contract }`. */
  current: CanaryModel
  /** The model that would replace it, in any of the same forms. */
  candidate: CanaryModel
  /** Recorded requests: a JSONL file (one `{"input": [...]}` or bare array per line) or an array of records. */
  traffic: string | readonly TrafficRecord[]
  /** Largest acceptable share of requests on which the two disagree (default 0.02). */
  maxDisagreement?: number
  /** Largest acceptable distance between the two prediction distributions, 0 to 1 (default 0.1). */
  maxPredictionDrift?: number
  /** Largest acceptable candidate/current ratio of median request latency (default 1.5). */
  maxLatencyRatio?: number
  /** Compare predicted classes (argmax) rather than values (default: when outputs have more than one column). */
  classifier?: boolean
  /** When two single-value outputs agree (default { atol: 1e-4, rtol: 1e-4 }); classifiers compare classes. */
  tolerance?: Tolerance
  /** Two-sided confidence of every interval (default 0.95). */
  confidence?: number
  /** Interleaved latency rounds, one request per model each (default 200; 0 skips the latency gate). */
  latencyRounds?: number
  /** Bootstrap resamples for the drift and latency intervals (default 1000). */
  resamples?: number
  /** Use at most this many traffic records (default 10,000). */
  limit?: number
  /** Requests per replay batch (default 256). */
  batchSize?: number
  /** Seed of the bootstrap (default: the running test's seed, so `--seed` replays it). */
  seed?: number
}

export interface CanaryGate {
  observed: number
  interval: Interval
  limit: number
  verdict: GateVerdict
}

export interface CanaryResult {
  verdict: GateVerdict
  requests: number
  contract: ServingContract | null
  disagreement: CanaryGate & { count: number }
  /** `total variation of predicted classes` or `Kolmogorov-Smirnov of outputs`. */
  driftMetric: string
  drift: CanaryGate
  /** Null when `latencyRounds` is 0. */
  latency: (CanaryGate & { rounds: number; currentMedianMs: number; candidateMedianMs: number }) | null
  /** Lines of the readable report. */
  report: string
}

const share = z.number().min(0).max(1)
const optionsSchema = z.object({
  current: optionField<CanaryModel>('current', 'an ONNX file path or bytes, an onnxruntime session, a predict function or { predict }', isModel),
  candidate: optionField<CanaryModel>('candidate', 'an ONNX file path or bytes, an onnxruntime session, a predict function or { predict }', isModel),
  traffic: optionField<string | readonly TrafficRecord[]>('traffic', 'a JSONL file path or an array of records', (v) => (typeof v === 'string' && v !== '') || Array.isArray(v)),
  maxDisagreement: share.optional(),
  maxPredictionDrift: share.optional(),
  maxLatencyRatio: z.number().positive().optional(),
  classifier: z.boolean().optional(),
  tolerance: optionField<Tolerance>('tolerance', "'exact' or { atol?, rtol?, ulps? }", (v) => v === 'exact' || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).every((k) => ['atol', 'rtol', 'ulps'].includes(k)))).optional(),
  confidence: z.number().gt(0.5).lt(1).optional(),
  latencyRounds: z.number().int().min(0).optional(),
  resamples: z.number().int().min(100).optional(),
  limit: z.number().int().min(1).optional(),
  batchSize: z.number().int().min(1).optional(),
  seed: z.number().int().optional(),
} satisfies Record<keyof CheckCanaryOptions, z.ZodType>)

function isModel(v: unknown): boolean {
  if (typeof v === 'string') return v !== ''
  if (v instanceof Uint8Array || typeof v === 'function') return true
  return typeof v === 'object' && v !== null && (typeof (v as { predict?: unknown }).predict === 'function' || typeof (v as { run?: unknown }).run === 'function')
}

const percent = (x: number) => `${formatNumber(x * 100)}%`
const intervalText = (i: Interval, show: (x: number) => string) => `[${show(i.low)}, ${show(i.high)}]`

async function predictAll(model: OpenedModel, rows: number[][], batchSize: number): Promise<{ values: Float64Array; width: number }> {
  let width = 0
  let values = new Float64Array(0)
  for (let start = 0; start < rows.length; start += batchSize) {
    const out = await model.run(rows.slice(start, start + batchSize))
    if (start === 0) {
      width = out.width
      values = new Float64Array(rows.length * width)
    } else if (out.width !== width) {
      throw new TypeError(`${CHECK}: ${model.label} returned ${out.width} outputs per row in one batch and ${width} in another`)
    }
    values.set(Array.from(out.values), start * width)
  }
  return { values, width }
}

function argmaxRows(values: Float64Array, width: number, rows: number): Int32Array {
  const labels = new Int32Array(rows)
  for (let r = 0; r < rows; r++) {
    let best = 0
    for (let c = 1; c < width; c++) if (values[r * width + c]! > values[r * width + best]!) best = c
    labels[r] = best
  }
  return labels
}

/** Times one request per model per round, alternating which goes first, after a short warm-up. */
async function interleavedLatency(current: OpenedModel, candidate: OpenedModel, rows: number[][], rounds: number): Promise<{ current: number[]; candidate: number[] }> {
  const time = async (model: OpenedModel, row: number[]) => {
    const start = performanceNow()
    await model.run([row])
    return performanceNow() - start
  }
  for (let i = 0; i < Math.min(5, rows.length); i++) {
    await time(current, rows[i]!)
    await time(candidate, rows[i]!)
  }
  const a: number[] = []
  const b: number[] = []
  for (let round = 0; round < rounds; round++) {
    const row = rows[round % rows.length]!
    if (round % 2 === 0) {
      a.push(await time(current, row))
      b.push(await time(candidate, row))
    } else {
      b.push(await time(candidate, row))
      a.push(await time(current, row))
    }
  }
  return { current: a, candidate: b }
}

/**
 * Compares the candidate with the current model: contracts first, then recorded traffic.
 * Throws a CheckFailure (an assertion failure) on a contract mismatch or when any gate fails;
 * records an inconclusive verdict, with its reason, when a gate's interval straddles its
 * limit. Returns every figure.
 */
export async function checkCanary(options: CheckCanaryOptions): Promise<CanaryResult> {
  const o = parseCheckOptions(CHECK, optionsSchema, options)
  const maxDisagreement = o.maxDisagreement ?? 0.02
  const maxDrift = o.maxPredictionDrift ?? 0.1
  const maxLatencyRatio = o.maxLatencyRatio ?? 1.5
  const confidence = o.confidence ?? 0.95
  const rounds = o.latencyRounds ?? 200
  const resamples = o.resamples ?? 1000
  const level = `${formatNumber(confidence * 100)}%`

  const current = await openModel(o.current, 'current')
  let candidate: OpenedModel
  try {
    candidate = await openModel(o.candidate, 'candidate')
  } catch (error) {
    await current.close()
    throw error
  }
  try {
    return await compare(current, candidate, o, { maxDisagreement, maxDrift, maxLatencyRatio, confidence, rounds, resamples, level })
  } finally {
    await Promise.all([current.close(), candidate.close()])
  }
}

interface Limits {
  maxDisagreement: number
  maxDrift: number
  maxLatencyRatio: number
  confidence: number
  rounds: number
  resamples: number
  level: string
}

async function compare(current: OpenedModel, candidate: OpenedModel, o: CheckCanaryOptions, { maxDisagreement, maxDrift, maxLatencyRatio, confidence, rounds, resamples, level }: Limits): Promise<CanaryResult> {

  // 1. The serving contract, before any request runs.
  const contractsKnown = current.contract !== undefined && candidate.contract !== undefined
  if (contractsKnown) {
    const mismatches = compareContracts(current.contract!, candidate.contract!)
    if (mismatches.length > 0) {
      const summary = `serving contract mismatch (${mismatches.length}): ${mismatches[0]}`
      recordCheck({ check: CHECK, practice: 'canary', verdict: 'fail', metrics: { contractMismatches: mismatches.length, requests: 0 }, summary })
      throw new CheckFailure([
        `${CHECK}: the candidate's serving contract differs from the current model's — no traffic was replayed`,
        ...mismatches.map((m) => `  ${m}`),
        `  current:   ${describeContract(current.contract!)}`,
        `  candidate: ${describeContract(candidate.contract!)}`,
        '  A server built for the current model would send requests the candidate cannot take (or read outputs it does not give): fix the export, or ship the server change with it.',
      ].join('\n'), { expected: current.contract, actual: candidate.contract })
    }
  }
  const contractLine = contractsKnown
    ? `${describeContract(current.contract!)} (the same in both)`
    : `not compared: ${[current, candidate].filter((m) => !m.contract).map((m) => m.label).join(' and ')} declare${current.contract || candidate.contract ? 's' : ''} no contract`

  // 2. Replay the traffic through both.
  const rows = await readTraffic(o.traffic, o.limit ?? 10_000)
  const n = rows.length
  const batchSize = o.batchSize ?? 256
  const a = await predictAll(current, rows, batchSize)
  const b = await predictAll(candidate, rows, batchSize)
  if (a.width !== b.width) {
    const summary = `current gives ${a.width} outputs per request, candidate ${b.width}`
    recordCheck({ check: CHECK, practice: 'canary', verdict: 'fail', metrics: { requests: n, outputsCurrent: a.width, outputsCandidate: b.width }, summary })
    throw new CheckFailure(`${CHECK}: ${summary} — a server reading the current model's outputs would misread the candidate's`)
  }
  const width = a.width
  const classifier = o.classifier ?? width > 1
  const tolerance: Tolerance = o.tolerance ?? { atol: 1e-4, rtol: 1e-4 }
  const finiteRow = (values: Float64Array, r: number) => {
    for (let c = 0; c < width; c++) if (!Number.isFinite(values[r * width + c]!)) return false
    return true
  }
  const labelsA = classifier ? argmaxRows(a.values, width, n) : undefined
  const labelsB = classifier ? argmaxRows(b.values, width, n) : undefined
  let disagreements = 0
  let nonFinite = 0
  for (let r = 0; r < n; r++) {
    const finite = finiteRow(b.values, r)
    if (!finite) nonFinite++
    let differ = !finite
    if (!differ && classifier) differ = labelsA![r] !== labelsB![r]
    else if (!differ) for (let c = 0; c < width && !differ; c++) differ = !isClose(b.values[r * width + c]!, a.values[r * width + c]!, tolerance)
    if (differ) disagreements++
  }
  const disagreementInterval = wilsonInterval(disagreements, n, confidence)
  const disagreement = { observed: disagreements / n, count: disagreements, interval: disagreementInterval, limit: maxDisagreement, verdict: gate(disagreementInterval, maxDisagreement) }

  const rng = createRng(deriveSeed(o.seed ?? currentTest()?.seed ?? 0, CHECK))
  const firstColumn = (values: Float64Array) => Float64Array.from({ length: n }, (_, r) => values[r * width]!)
  const scoresA = classifier ? undefined : firstColumn(a.values)
  const scoresB = classifier ? undefined : firstColumn(b.values)
  const driftOf = (indices?: ArrayLike<number>) => (classifier ? totalVariation(labelsA!, labelsB!, width, indices) : kolmogorovSmirnov(scoresA!, scoresB!, indices))
  const driftMetric = classifier ? 'total variation of predicted classes' : `Kolmogorov-Smirnov of outputs${width > 1 ? ' (first column)' : ''}`
  const driftObserved = driftOf()
  const driftInterval = pairedBootstrap(n, driftOf, rng, resamples, confidence)
  const drift = { observed: driftObserved, interval: driftInterval, limit: maxDrift, verdict: gate(driftInterval, maxDrift) }

  let latency: CanaryResult['latency'] = null
  let times: { current: number[]; candidate: number[] } | undefined
  if (rounds > 0) {
    times = await interleavedLatency(current, candidate, rows, rounds)
    const t = times
    const ratioOf = (indices?: ArrayLike<number>) => median(t.candidate, indices) / Math.max(median(t.current, indices), 1e-9)
    const interval = pairedBootstrap(rounds, ratioOf, rng, resamples, confidence)
    latency = { observed: ratioOf(), interval, limit: maxLatencyRatio, verdict: gate(interval, maxLatencyRatio), rounds, currentMedianMs: median(t.current), candidateMedianMs: median(t.candidate) }
  }

  // 3. The verdict and its report.
  const gates: Array<[string, GateVerdict]> = [['disagreement', disagreement.verdict], ['prediction drift', drift.verdict], ...(latency ? [['latency ratio', latency.verdict] as [string, GateVerdict]] : [])]
  const verdict: GateVerdict = gates.some(([, v]) => v === 'fail') ? 'fail' : gates.some(([, v]) => v === 'inconclusive') ? 'inconclusive' : 'pass'
  const disagreeWhat = classifier ? 'predicted class differs' : `outputs differ beyond ${describeTolerance(tolerance)}`
  const lines = [
    `  contract          ${contractLine}`,
    `  disagreement      ${disagreements} of ${n} requests = ${percent(disagreement.observed)} (${disagreeWhat}${nonFinite ? `; ${nonFinite} non-finite candidate outputs counted as disagreements` : ''}), ${level} Wilson interval ${intervalText(disagreementInterval, percent)}, max ${percent(maxDisagreement)} → ${disagreement.verdict}`,
    `  prediction drift  ${driftMetric} ${formatNumber(driftObserved)}, ${level} interval ${intervalText(driftInterval, formatNumber)} (paired bootstrap, ${resamples} resamples), max ${formatNumber(maxDrift)} → ${drift.verdict}`,
    latency
      ? `  latency ratio     candidate/current median ${formatNumber(latency.observed)} (${formatNumber(latency.candidateMedianMs)} ms / ${formatNumber(latency.currentMedianMs)} ms), ${level} interval ${intervalText(latency.interval, formatNumber)} (paired bootstrap over ${rounds} interleaved rounds), max ${formatNumber(maxLatencyRatio)} → ${latency.verdict}`
      : '  latency ratio     not measured (latencyRounds: 0)',
    `  replay            seed ${rng.seed} (mltest run --seed N reruns the test with the same bootstrap)`,
  ]
  const headline = verdict === 'pass'
    ? `candidate agrees with current on ${percent(1 - disagreement.observed)} of ${n} requests; every gate within its limit`
    : verdict === 'fail'
      ? `candidate fails ${gates.filter(([, v]) => v === 'fail').map(([g]) => g).join(' and ')}`
      : `${gates.filter(([, v]) => v === 'inconclusive').map(([g]) => g).join(' and ')} cannot be told from ${gates.length > 1 ? 'their limits' : 'its limit'} with ${n} requests`
  const report = `${CHECK}: ${headline}\n${lines.join('\n')}`
  const gateLines: GateLine[] = [
    { gate: `disagreement rate (max ${percent(maxDisagreement)})`, ...disagreement },
    { gate: `prediction drift (max ${formatNumber(maxDrift)})`, ...drift },
    ...(latency ? [{ gate: `latency ratio (max ${formatNumber(maxLatencyRatio)})`, ...latency }] : []),
  ]
  const inconclusiveGate = gates.find(([, v]) => v === 'inconclusive')?.[0]
  recordCheck({
    check: CHECK,
    practice: 'canary',
    verdict,
    metrics: {
      requests: n,
      confidence,
      disagreementRate: disagreement.observed,
      disagreementLow: disagreementInterval.low,
      disagreementHigh: disagreementInterval.high,
      maxDisagreement,
      predictionDrift: driftObserved,
      predictionDriftLow: driftInterval.low,
      predictionDriftHigh: driftInterval.high,
      maxPredictionDrift: maxDrift,
      latencyRatio: latency?.observed ?? null,
      latencyRatioLow: latency?.interval.low ?? null,
      latencyRatioHigh: latency?.interval.high ?? null,
      maxLatencyRatio,
      latencyRounds: rounds,
      seed: rng.seed,
    },
    summary: `disagreement ${percent(disagreement.observed)} of ${n} (max ${percent(maxDisagreement)}), drift ${formatNumber(driftObserved)} (max ${formatNumber(maxDrift)})${latency ? `, latency ×${formatNumber(latency.observed)} (max ×${formatNumber(maxLatencyRatio)})` : ''}: ${verdict}`,
    ...(verdict === 'inconclusive' ? { reason: `the ${level} interval of the ${inconclusiveGate} straddles its limit with ${n} requests; replay more traffic` } : {}),
    figures: [gatesFigure(gateLines), ...(times ? [latencyFigure(times.current, times.candidate)] : [])],
  })
  const result: CanaryResult = { verdict, requests: n, contract: contractsKnown ? current.contract! : null, disagreement, driftMetric, drift, latency, report }
  if (verdict === 'fail') throw new CheckFailure(report)
  return result
}
