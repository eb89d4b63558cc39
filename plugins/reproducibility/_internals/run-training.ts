/**
 * One training run, in whatever thread calls it: selects the backend, watches `Math.random`
 * and `model.fit` while the user's function trains, then reads weights, probe predictions,
 * metrics and the model's unseeded randomness into a plain record that can cross threads.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs'
import { threadId } from 'node:worker_threads'
import { createRng } from 'mltest/plugin'
import { installFitProbe, type Checkpoint, type CheckpointLevel, type FitCall, type FitProbe } from './fit-probe.ts'
import { scanModel } from './model-scan.ts'
import {
  isLayersModel, isModelAdapter, predictProbe, readWeights, weightsSha256,
  type ShapedValues, type TrainedModel, type WeightTensor,
} from './model-weights.ts'
import { countRandomCalls, type RandomCallCount } from './seeded-random.ts'
import { loadTfjs, useBackend, type Tf } from './tfjs.ts'

/** What the training function receives. Every run of one check gets the same `seed`. */
export interface TrainContext {
  seed: number
  /** The tfjs backend this run trains on ('none' when the check runs without tfjs). */
  backend: string
  /** 1-based run number (for logging only: using it in training defeats the check). */
  run: number
  /** Records a weights checkpoint by hand in a custom training loop (`model.fit` is watched automatically). */
  checkpoint(model: LayersModel, label: string, loss?: number): void
}

export type TrainResult = TrainedModel | { model: TrainedModel; metrics?: Record<string, number> }
export type TrainFn = (context: TrainContext) => TrainResult | Promise<TrainResult>

export interface RunSpec {
  run: number
  seed: number
  backend: string
  checkpoints: CheckpointLevel
  /** Probe batch, or 'auto' for 16 seeded rows of the model's input shape. */
  probe: ShapedValues | 'auto'
  /** Dispose tfjs models after reading them (same-thread runs; a worker just exits). */
  dispose: boolean
}

export interface RunDiagnostics {
  randomCalls: number
  unseededRandomCalls: number
  unseededInitializers: string[]
  unseededNoiseLayers: string[]
  fitCalls: FitCall[]
}

export interface RunRecord {
  run: number
  /** Backend tfjs reported after training. */
  backend: string
  where: string
  weights: WeightTensor[]
  weightsSha256: string
  predictions?: ShapedValues
  predictionsNote?: string
  metrics: Record<string, number>
  checkpoints: Checkpoint[]
  diagnostics: RunDiagnostics
  durationMs: number
}

const AUTO_PROBE_ROWS = 16

function autoProbe(model: TrainedModel, seed: number): ShapedValues | string {
  if (!isLayersModel(model)) return 'no probe given and the model is not a tfjs LayersModel — pass { probe }'
  if (model.inputs.length !== 1) return `no probe given and the model has ${model.inputs.length} inputs — pass { probe }`
  const dims = model.inputs[0]!.shape.slice(1)
  if (dims.some((d) => d == null)) return `no probe given and the input shape ${JSON.stringify(model.inputs[0]!.shape)} has unknown dimensions — pass { probe }`
  const shape = [AUTO_PROBE_ROWS, ...(dims as number[])]
  const rng = createRng(seed ^ 0x9e3779b9)
  const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal())
  return { shape, values }
}

function unwrap(result: TrainResult, run: number): { model: TrainedModel; metrics?: Record<string, number> } {
  if (isLayersModel(result) || isModelAdapter(result)) return { model: result }
  const wrapped = result as { model?: unknown; metrics?: Record<string, number> } | undefined
  if (wrapped && (isLayersModel(wrapped.model) || isModelAdapter(wrapped.model))) return wrapped as { model: TrainedModel; metrics?: Record<string, number> }
  throw new TypeError(`run ${run}: the training function must return a tfjs LayersModel, a ModelAdapter ({ namedWeights() }) or { model, metrics? }`)
}

function checkMetrics(metrics: Record<string, unknown>, run: number): Record<string, number> {
  for (const [key, value] of Object.entries(metrics)) {
    if (typeof value !== 'number') throw new TypeError(`run ${run}: metric "${key}" must be a number, got ${typeof value}`)
  }
  return metrics as Record<string, number>
}

export async function runTraining(train: TrainFn, spec: RunSpec): Promise<RunRecord> {
  const started = performance.now()
  const tf: Tf | undefined = spec.backend === 'none' ? undefined : await loadTfjs()
  const backend = tf ? await useBackend(tf, spec.backend) : 'none'
  const fit: FitProbe | undefined = tf ? installFitProbe(tf, spec.checkpoints) : undefined
  const context: TrainContext = {
    seed: spec.seed,
    backend,
    run: spec.run,
    checkpoint(model, label, loss) {
      if (!fit) throw new Error('checkpoint(): needs a tfjs backend (the check runs with backend "none")')
      fit.checkpoint(model, label, loss)
    },
  }
  const counter = countRandomCalls()
  let calls: RandomCallCount
  let result: TrainResult
  try {
    result = await train(context)
  } finally {
    calls = counter.stop()
    fit?.uninstall()
  }
  const { model, metrics } = unwrap(result, spec.run)
  const weights = await readWeights(model)
  const probe = spec.probe === 'auto' ? autoProbe(model, spec.seed) : spec.probe
  const predictions = typeof probe === 'string' ? undefined : await predictProbe(model, probe, (p) => tf!.tensor(p.values, p.shape) as Tensor)
  const scan = isLayersModel(model) ? scanModel(model) : { unseededInitializers: [], unseededNoiseLayers: [] }
  if (spec.dispose && isLayersModel(model)) model.dispose()
  return {
    run: spec.run,
    backend: tf ? tf.getBackend() : backend,
    where: threadId === 0 ? `process ${process.pid}` : `worker thread ${threadId}`,
    weights,
    weightsSha256: weightsSha256(weights),
    predictions,
    predictionsNote: typeof probe === 'string' ? probe : predictions ? undefined : 'the ModelAdapter has no predict()',
    metrics: checkMetrics(metrics ?? fit?.lastLogs ?? {}, spec.run),
    checkpoints: fit?.checkpoints ?? [],
    diagnostics: {
      randomCalls: calls.calls,
      unseededRandomCalls: calls.unseededCalls,
      ...scan,
      fitCalls: fit?.fitCalls ?? [],
    },
    durationMs: performance.now() - started,
  }
}
