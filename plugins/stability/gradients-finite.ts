/**
 * `gradientsFinite`: for a tfjs loss, one gradient step on the generated input gives a
 * finite loss, finite gradients, and finite weights after an SGD step. NaN gradients are
 * the usual way training silently dies: log(0) in a hand-written cross-entropy, sqrt at 0
 * in a norm, a division by a zero variance. The weights are not changed: runs stay
 * independent, so shrinking and replay see the same model.
 */
import type { Scalar, Tensor, Variable } from '@tensorflow/tfjs'
import { formatIndex, formatNumber, parseCheckOptions, z } from 'mltest/plugin'
import { formatElement } from './_internals/format.ts'
import { field, isNumber } from './_internals/option-fields.ts'
import { loadedTfjs, loadTfjs } from './_internals/tfjs.ts'
import { oracleFactories, UsageError, type Oracle } from './oracle.ts'

type Trainable = Variable[] | { trainableWeights: Array<{ read(): Tensor }> }

const gradientsFiniteOptions = z.object({
  /**
   * What to differentiate: tf.Variables, or a tfjs LayersModel (its trainable weights).
   * Default: every trainable variable the loss uses.
   */
  variables: field<Trainable>('variables', 'an array of tf.Variable or a tfjs LayersModel', (v) => Array.isArray(v) || Array.isArray((v as { trainableWeights?: unknown } | null)?.trainableWeights)).optional(),
  /** Learning rate of the SGD step whose new weights must be finite (default 0.01). */
  learningRate: z.number().gt(0).default(0.01),
  /** Largest accepted global gradient norm (default Infinity: finiteness only). */
  maxNorm: field<number>('maxNorm', 'a number > 0 (Infinity: no limit)', (v) => isNumber(v) && v > 0).default(Infinity),
})

export type GradientsFiniteOptions = z.input<typeof gradientsFiniteOptions>

function variablesOf(option: Trainable | undefined): Variable[] | undefined {
  if (option === undefined || Array.isArray(option)) return option
  // A LayerVariable's read() returns its backing tf.Variable.
  return option.trainableWeights.map((w) => w.read() as Variable)
}

/** Counts non-finite elements and shows up to 3, e.g. `[0, 2] = NaN`. */
function nonFinite(name: string, values: ArrayLike<number>, shape: number[]): { count: number; shown: string[] } {
  const shown: string[] = []
  let count = 0
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i]!)) continue
    count++
    if (shown.length < 3) shown.push(`${shape.length ? formatIndex(i, shape) : name} = ${formatElement(values[i]!)}`)
  }
  return { count, shown }
}

export function gradientsFinite(options: GradientsFiniteOptions = {}): Oracle {
  const { variables, learningRate, maxNorm } = parseCheckOptions('gradientsFinite', gradientsFiniteOptions, options)
  const name = `gradientsFinite(lr ${formatNumber(learningRate, 17)}${Number.isFinite(maxNorm) ? `, maxNorm ${formatNumber(maxNorm, 17)}` : ''})`
  return {
    name,
    callsFn: true,
    async prepare() {
      await loadTfjs()
    },
    check(_output, { input, call }) {
      const tf = loadedTfjs('gradientsFinite')
      const loss = (): Scalar => {
        const value = call(input) as unknown
        if (value instanceof Promise) throw new UsageError('gradientsFinite needs a synchronous loss function: tfjs records gradients while the function runs')
        if (!(value instanceof tf.Tensor) || value.rank !== 0) {
          throw new UsageError(`gradientsFinite: the function must return a scalar tf.Tensor loss, got ${value instanceof tf.Tensor ? `a tensor of shape [${value.shape.join(', ')}]` : typeof value}`)
        }
        return value as Scalar
      }
      let result: { value: Scalar; grads: Record<string, Tensor> }
      try {
        result = tf.variableGrads(loss, variablesOf(variables))
      } catch (error) {
        if (error instanceof UsageError) throw error
        const message = (error as Error).message ?? ''
        if (/^Cannot find a connection between any variable|^variableGrads\(\) expects/.test(message)) throw new UsageError(`gradientsFinite: ${message}`)
        throw error
      }
      try {
        const problems: string[] = []
        const lossValue = result.value.dataSync()[0]!
        if (!Number.isFinite(lossValue)) problems.push(`loss = ${formatElement(lossValue)}`)
        let squares = 0
        const stepped: string[] = []
        for (const [varName, grad] of Object.entries(result.grads)) {
          const g = grad.dataSync()
          const bad = nonFinite(`∂loss/∂${varName}`, g, grad.shape)
          if (bad.count) problems.push(`∂loss/∂${varName}: ${bad.count} of ${g.length} not finite (${bad.shown.join(', ')}${bad.count > 3 ? ', …' : ''})`)
          for (let i = 0; i < g.length; i++) squares += g[i]! * g[i]!
          const weights = tf.engine().registeredVariables[varName]!.dataSync()
          const next = Float32Array.from(weights, (w, i) => w - learningRate * g[i]!)
          const badStep = nonFinite(varName, next, grad.shape)
          if (badStep.count && !bad.count) stepped.push(`${varName} after one SGD step (lr ${learningRate}): ${badStep.count} of ${g.length} weights not finite (${badStep.shown.join(', ')}${badStep.count > 3 ? ', …' : ''})`)
        }
        problems.push(...stepped)
        const norm = Math.sqrt(squares)
        if (problems.length === 0 && norm > maxNorm) problems.push(`global gradient norm ${formatElement(norm)} > maxNorm ${maxNorm}`)
        return problems.length ? problems.join('; ') : undefined
      } finally {
        tf.dispose([result.value, ...Object.values(result.grads)])
      }
    },
  }
}

oracleFactories.add(gradientsFinite)
