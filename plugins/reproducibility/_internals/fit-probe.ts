/**
 * Watches `LayersModel.fit` while a training run executes: records how each call shuffles
 * (tfjs shuffles by default, with `Math.random`), adds a callback that hashes the weights at
 * every checkpoint (so runs can be compared batch by batch), and keeps the last epoch's logs
 * as default metrics. `Sequential.fit` delegates to an inner `LayersModel.fit`, so patching the
 * prototype sees both.
 */
import type { CustomCallbackArgs, LayersModel, Logs } from '@tensorflow/tfjs'
import { layersModelWeights, weightsSha256 } from './model-weights.ts'
import type { Tf } from './tfjs.ts'

export type CheckpointLevel = 'batch' | 'epoch' | 'off'

/** Weights hash at one point of training; `loss` is the batch or epoch loss tfjs logged. */
export interface Checkpoint {
  label: string
  sha256: string
  loss?: number
}

/** What one `fit` call was asked to do. */
export interface FitCall {
  shuffle: boolean | 'batch'
  /** False when `shuffle` was left to tfjs's default (true). */
  shuffleExplicit: boolean
  epochs: number
}

export interface FitProbe {
  fitCalls: FitCall[]
  checkpoints: Checkpoint[]
  /** Final-epoch logs of the last `fit` call (loss, metrics). */
  lastLogs: Record<string, number>
  /** Records a checkpoint by hand, for custom training loops. */
  checkpoint(model: LayersModel, label: string, loss?: number): void
  uninstall(): void
}

type FitArgs = { shuffle?: boolean | 'batch'; epochs?: number; callbacks?: unknown; yieldEvery?: unknown } & Record<string, unknown>
type Fit = (this: LayersModel, x: unknown, y: unknown, args?: FitArgs) => Promise<{ history: Record<string, number[]> }>

const isCallbackObject = (c: unknown) => typeof (c as { setParams?: unknown })?.setParams === 'function'

export function installFitProbe(tf: Tf, level: CheckpointLevel): FitProbe {
  const proto = tf.LayersModel.prototype as unknown as { fit: Fit }
  const original = proto.fit
  const probe: FitProbe = {
    fitCalls: [],
    checkpoints: [],
    lastLogs: {},
    checkpoint(model, label, loss) {
      probe.checkpoints.push({ label, sha256: weightsSha256(layersModelWeights(model)), ...(loss === undefined ? {} : { loss }) })
    },
    uninstall() {
      proto.fit = original
    },
  }
  proto.fit = async function fit(this: LayersModel, x, y, args = {}) {
    const fitIndex = probe.fitCalls.length + 1
    probe.fitCalls.push({ shuffle: args.shuffle ?? true, shuffleExplicit: args.shuffle !== undefined, epochs: args.epochs ?? 1 })
    const prefix = fitIndex > 1 ? `fit ${fitIndex}, ` : ''
    const model = this
    let epoch = 0
    const hooks: CustomCallbackArgs = {
      onTrainBegin: async () => {
        if (level !== 'off') probe.checkpoint(model, `${prefix}before training`)
      },
      onEpochBegin: async (e) => {
        epoch = e
      },
      onEpochEnd: async (e, logs?: Logs) => {
        if (level !== 'off') probe.checkpoint(model, `${prefix}epoch ${e + 1} end`, logs?.loss)
      },
    }
    if (level === 'batch') hooks.onBatchEnd = async (b, logs?: Logs) => probe.checkpoint(model, `${prefix}epoch ${epoch + 1}, batch ${b + 1}`, logs?.loss)
    const user = args.callbacks == null ? [] : Array.isArray(args.callbacks) ? args.callbacks : [args.callbacks]
    const yieldEvery = args.yieldEvery as ConstructorParameters<Tf['CustomCallback']>[1]
    const callbacks = [...user, hooks].map((c) => (isCallbackObject(c) ? c : new tf.CustomCallback(c as CustomCallbackArgs, yieldEvery)))
    const history = await original.call(this, x, y, { ...args, callbacks })
    probe.lastLogs = Object.fromEntries(
      Object.entries(history.history).flatMap(([k, v]) => (typeof v.at(-1) === 'number' ? [[k, v.at(-1)!]] : [])),
    )
    return history
  }
  return probe
}
