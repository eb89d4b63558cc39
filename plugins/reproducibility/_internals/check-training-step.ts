/**
 * `checkTrainingStep`: the model unit test. One (or N) gradient steps on a small seeded batch
 * catch wiring bugs a full training run hides: a variable that never moves (a layer whose
 * output does not reach the loss, a weight a custom layer forgets to use, a frozen layer),
 * a loss that is NaN or does not change, a gradient that overflows.
 */
import type { LayersModel, Optimizer, Scalar, Tensor, Variable } from '@tensorflow/tfjs'
import { CheckFailure, createRng, currentTest, parseCheckOptions, recordCheck, z } from 'mltest/plugin'
import { trainingStepFigure } from './figures.ts'
import { isLayersModel } from './model-weights.ts'
import { field } from './option-fields.ts'
import { installedRandom, seededRandom } from './seeded-random.ts'
import { formatStepReport, type VariableStep } from './step-report.ts'
import { formatModelShape, isStepData, stepBatches, type StepData } from './step-data.ts'
import { loadTfjs, type Tf } from './tfjs.ts'

export type StepLoss = (targets: Tensor[], outputs: Tensor[]) => Scalar

const stepData = (name: string) => field<StepData>(name, `a tf.Tensor, nested number arrays, or an array of tf.Tensor (one per model ${name.slice(0, -1)})`, isStepData)

const trainingStepOptions = z.object({
  /** Model inputs (default: seeded random normal batch of the input shape). */
  inputs: stepData('inputs').optional(),
  /** Targets (default: seeded random targets matching the output activation). */
  targets: stepData('targets').optional(),
  /** Gradient steps (default 1). */
  steps: z.number().int().min(1).default(1),
  /** Default: the compiled model's optimizer, else SGD with learning rate 0.01. */
  optimizer: field<Optimizer>('optimizer', 'a tfjs Optimizer such as tf.train.sgd(0.01)', (v) => typeof (v as Optimizer | null)?.applyGradients === 'function').optional(),
  /** Default: the compiled loss(es), each averaged over the batch and summed over outputs. */
  loss: field<StepLoss>('loss', 'a function (targets, outputs) => scalar tf.Tensor', (v) => typeof v === 'function').optional(),
  /** Rows of the random batch (default 8; given inputs or targets set their own). */
  batchSize: z.number().int().min(1).default(8),
  /** Seed of the random batch and of `Math.random` during the check, so unseeded dropout
   *  draws the same masks on every call (default: the running test's `t.seed`, or 1 outside a test). */
  seed: z.number().int().optional(),
  /** Names of layers meant to be frozen (`trainable: false`); any other frozen layer fails the check. */
  frozen: z.array(z.string()).default([]),
})

export type TrainingStepOptions = z.input<typeof trainingStepOptions>

type ParsedOptions = z.output<typeof trainingStepOptions>

export interface TrainingStepResult {
  passed: boolean
  lossBefore: number
  lossAfter: number
  variables: VariableStep[]
  problems: string[]
  report: string
}

type CompiledModel = LayersModel & { lossFunctions?: Array<(y: Tensor, p: Tensor) => Tensor>; model?: CompiledModel }

function compiledLoss(tf: Tf, model: CompiledModel): StepLoss | undefined {
  const fns = model.lossFunctions ?? model.model?.lossFunctions
  if (!fns || fns.length === 0) return undefined
  return (targets, outputs) => tf.addN(outputs.map((out, i) => tf.mean(fns[Math.min(i, fns.length - 1)]!(targets[i]!, out)))) as Scalar
}

const shapes = (tensors: Array<{ shape: readonly (number | null)[] }>) => tensors.map((t) => formatModelShape(t.shape)).join(', ')

/**
 * The loss on the first forward pass. Targets the loss cannot pair with the outputs (a wrong
 * shape, usually) make tfjs throw a bare broadcasting or shape error; this says which check,
 * and the given and expected shapes.
 */
function lossOn(lossFn: StepLoss, targets: Tensor[], outputs: Tensor[], model: LayersModel): Scalar {
  try {
    return lossFn(targets, outputs)
  } catch (error) {
    const detail = String((error as Error)?.message ?? error).split('\n')[0]
    throw new TypeError(
      `checkTrainingStep: the loss failed on targets ${shapes(targets)} against outputs ${shapes(outputs)} (${detail}) — pass targets the loss accepts for the model's output ${shapes(model.outputs)}`,
      { cause: error },
    )
  }
}

interface LayerLike { name: string; trainable: boolean; weights: unknown[]; layers?: LayerLike[] }

function frozenLayers(layers: LayerLike[]): string[] {
  return layers.flatMap((l) => (Array.isArray(l.layers) ? frozenLayers(l.layers) : !l.trainable && l.weights.length > 0 ? [l.name] : []))
}

function finiteStats(values: ArrayLike<number>): { finite: boolean; maxAbs: number } {
  let maxAbs = 0
  let finite = true
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (!Number.isFinite(v)) finite = false
    else if (Math.abs(v) > maxAbs) maxAbs = Math.abs(v)
  }
  return { finite, maxAbs }
}

/**
 * Trains `model` in place for `steps` gradient steps and checks that the loss is finite and
 * changes, the outputs and every gradient are finite and every trainable variable moves. Returns the result
 * when all hold; throws a CheckFailure with the report otherwise. Records practice
 * `model-unit-test` on the test.
 */
export async function checkTrainingStep(model: LayersModel, options: TrainingStepOptions = {}): Promise<TrainingStepResult> {
  const parsed = parseCheckOptions('checkTrainingStep', trainingStepOptions, options)
  const seed = parsed.seed ?? currentTest()?.seed ?? 1
  // The forward pass runs with training: true, so dropout and noise layers without a seed
  // draw from Math.random: seed it for the duration of the check, then put it back.
  const previous = installedRandom()
  Math.random = seededRandom(seed ^ 0x7a11, () => true, previous)
  try {
    return await trainingStep(model, parsed, seed)
  } finally {
    Math.random = previous
  }
}

async function trainingStep(model: LayersModel, options: ParsedOptions, seed: number): Promise<TrainingStepResult> {
  if (!isLayersModel(model)) throw new TypeError('checkTrainingStep: model must be a tfjs LayersModel (tf.sequential() or tf.model())')
  const { steps, batchSize } = options
  const tf = await loadTfjs()
  await tf.ready()
  const lossFn = options.loss ?? compiledLoss(tf, model)
  if (!lossFn) throw new TypeError('checkTrainingStep: the model is not compiled — call model.compile({ loss, optimizer }) or pass { loss: (targets, outputs) => scalar }')
  const rng = createRng(seed)
  const { inputs, targets } = stepBatches(tf, model, options, rng)
  const optimizer = options.optimizer ?? (model.optimizer as Optimizer | undefined) ?? tf.train.sgd(0.01)
  const x = inputs.tensors.length === 1 ? inputs.tensors[0]! : inputs.tensors
  const forward = () => {
    const out = model.apply(x, { training: true }) as Tensor | Tensor[]
    return Array.isArray(out) ? out : [out]
  }
  const lossOf = () => lossFn(targets.tensors, forward())
  const vars = model.trainableWeights.map((w) => w.read() as Variable)
  const before = vars.map((v) => Float32Array.from(v.dataSync() as ArrayLike<number>))
  const disposeBatch = () => {
    if (inputs.owned) tf.dispose(inputs.tensors)
    if (targets.owned) tf.dispose(targets.tensors)
  }
  let first: { lossBefore: number; outputs: { total: number; nonFinite: number } }
  try {
    first = tf.tidy(() => {
      const out = forward()
      const values = out.map((o) => Array.from(o.dataSync() as ArrayLike<number>))
      const nonFinite = values.reduce((n, v) => n + v.filter((e) => !Number.isFinite(e)).length, 0)
      return { lossBefore: lossOn(lossFn, targets.tensors, out, model).dataSync()[0]!, outputs: { total: values.reduce((n, v) => n + v.length, 0), nonFinite } }
    })
  } catch (error) {
    disposeBatch()
    throw error
  }
  const { lossBefore, outputs } = first
  const grads = vars.map(() => ({ received: false, finite: true, maxAbs: 0 }))
  let disconnectedAll = false
  try {
    for (let step = 0; step < steps; step++) {
      const { value, grads: named } = tf.variableGrads(lossOf, vars)
      vars.forEach((v, i) => {
        const g = named[v.name]
        if (!g) return
        const stats = finiteStats(g.dataSync() as ArrayLike<number>)
        grads[i] = { received: true, finite: grads[i]!.finite && stats.finite, maxAbs: Math.max(grads[i]!.maxAbs, stats.maxAbs) }
      })
      optimizer.applyGradients(named)
      tf.dispose([value, ...Object.values(named)])
    }
  } catch (error) {
    if (!/connection between any variable/i.test(String((error as Error)?.message))) throw error
    disconnectedAll = true
  }
  const lossAfter = tf.tidy(() => lossOf().dataSync()[0]!)
  disposeBatch()
  const variables: VariableStep[] = vars.map((v, i) => {
    const after = v.dataSync() as ArrayLike<number>
    let maxChange = 0
    let moved = false
    for (let k = 0; k < after.length; k++) {
      if (!Object.is(after[k], before[i]![k])) moved = true
      const change = Math.abs(after[k]! - before[i]![k]!)
      if (change > maxChange || Number.isNaN(change)) maxChange = change
    }
    return { name: model.trainableWeights[i]!.originalName ?? v.name, shape: [...v.shape], moved, maxChange, gradient: disconnectedAll ? { received: false, finite: true, maxAbs: 0 } : grads[i]! }
  })
  const unexpectedFrozen = frozenLayers(model.layers as unknown as LayerLike[]).filter((name) => !options.frozen.includes(name))
  const problems: string[] = []
  if (outputs.nonFinite > 0) problems.push(`${outputs.nonFinite} of ${outputs.total} model outputs are not finite before the step`)
  if (!Number.isFinite(lossBefore)) problems.push(`loss before the step is ${lossBefore}`)
  if (!Number.isFinite(lossAfter)) problems.push(`loss after ${steps} step(s) is ${lossAfter}`)
  else if (Object.is(lossBefore, lossAfter)) problems.push(`loss did not change (${lossBefore})`)
  const nonFinite = variables.filter((v) => v.gradient.received && !v.gradient.finite)
  if (nonFinite.length > 0) problems.push(`${nonFinite.length} gradient(s) not finite`)
  const stuck = variables.filter((v) => !v.moved)
  if (stuck.length > 0) problems.push(`${stuck.length} of ${variables.length} trainable variables did not move`)
  if (unexpectedFrozen.length > 0) problems.push(`frozen layer(s) not listed in { frozen }: ${unexpectedFrozen.join(', ')}`)
  const optimizerName = (optimizer as unknown as { getClassName(): string }).getClassName()
  const replay = `checkTrainingStep(model, { seed: ${seed}, steps: ${steps}, batchSize: ${batchSize} }) on backend ${tf.getBackend()}`
  const report = formatStepReport({ problems, variables, lossBefore, lossAfter, steps, optimizerName, backend: tf.getBackend(), inputs: inputs.description, targets: targets.description, unexpectedFrozen, replay })
  const passed = problems.length === 0
  recordCheck({
    check: 'checkTrainingStep',
    practice: 'model-unit-test',
    verdict: passed ? 'pass' : 'fail',
    metrics: {
      steps, seed, backend: tf.getBackend(), lossBefore, lossAfter, variables: variables.length, nonFiniteOutputs: outputs.nonFinite,
      variablesNotMoved: stuck.length, nonFiniteGradients: nonFinite.length, unexpectedFrozenLayers: unexpectedFrozen.length,
    },
    summary: passed ? `loss ${lossBefore} → ${lossAfter}; all ${variables.length} trainable variables moved` : problems.join('; '),
    figures: [trainingStepFigure(variables, lossBefore, lossAfter, steps)],
  })
  const result: TrainingStepResult = { passed, lossBefore, lossAfter, variables, problems, report }
  if (!passed) throw Object.assign(new CheckFailure(report), { result })
  return result
}
