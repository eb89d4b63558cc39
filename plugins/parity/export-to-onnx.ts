/**
 * `exportToOnnx`: a tfjs Sequential model of Dense layers as an ONNX model, so the model a
 * team trained in tfjs can be served by onnxruntime and the two checked for parity. Only
 * layers whose ONNX form is unambiguous are exported; anything else is refused by name
 * rather than approximated.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { LayersModel } from '@tensorflow/tfjs'
import { parseCheckOptions, z } from 'mltest/plugin'
import { loadOnnxProto } from './_internals/load-optional.ts'
import { refined, shown } from './_internals/option-schemas.ts'
import { ChainGraph, type Dim } from './_internals/onnx-graph.ts'

export interface ExportToOnnxOptions {
  /** Also write the model to this file (parent folders are created). */
  path?: string
  /** Graph input name (default: the tfjs model's input name, e.g. `dense_Dense1_input`). */
  inputName?: string
  /** Graph output name (default: the last layer's name). */
  outputName?: string
  /** ONNX opset, 13 to 18 (default 13: Softmax over the last axis, as tfjs computes it). */
  opset?: number
}

const nonEmptyString = (option: string) => refined<string>((v) => (typeof v === 'string' && v !== '' ? undefined : `option "${option}" must be a non-empty string (got ${shown(v)})`))

/** Every option, declared once; `satisfies` keeps it in step with the interface above. */
const optionsSchema = z.object({
  path: nonEmptyString('path').optional(),
  inputName: nonEmptyString('inputName').optional(),
  outputName: nonEmptyString('outputName').optional(),
  opset: z.number().int().min(13).max(18).optional(),
} satisfies Record<keyof ExportToOnnxOptions, z.ZodType>)

const ACTIVATIONS: Record<string, string | null> = { linear: null, relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh', softmax: 'Softmax' }
const SUPPORTED_LAYERS = 'Dense, Activation, Dropout'
/** IR version 8 (ONNX 1.10-1.13) covers opsets 13 to 18. */
const IR_VERSION = 8

function activationOp(graph: ChainGraph, layerName: string, className: string, activation: unknown): void {
  const name = typeof activation === 'string' ? activation : JSON.stringify(activation)
  if (!(name in ACTIVATIONS)) {
    throw new TypeError(`exportToOnnx: layer "${layerName}" (${className}) uses activation "${name}", which is not supported; supported activations: ${Object.keys(ACTIVATIONS).join(', ')}`)
  }
  const opType = ACTIVATIONS[name]
  if (!opType) return
  graph.append({ opType, name: `${layerName}/${name}`, intAttributes: opType === 'Softmax' ? { axis: -1 } : undefined })
}

function dims(shape: readonly (number | null)[], what: string): Dim[] {
  return shape.map((d, i) => (d === null || d === undefined ? (i === 0 ? 'batch' : `${what}_dim${i}`) : d))
}

/**
 * Converts the model and returns the ONNX ModelProto bytes (opset 13 by default, IR version
 * 8, float32). Dense becomes MatMul + Add and its activation an ONNX op; Dropout is dropped,
 * as it is the identity at inference. Throws a TypeError naming the first unsupported layer
 * or activation.
 */
export async function exportToOnnx(model: LayersModel, options: ExportToOnnxOptions = {}): Promise<Uint8Array> {
  const m = model as Partial<LayersModel> | null
  if (!m || typeof m.getClassName !== 'function' || !Array.isArray(m.layers)) {
    throw new TypeError('exportToOnnx: expected a tfjs Sequential model (tf.sequential({ layers: [...] }))')
  }
  if (model.getClassName() !== 'Sequential') {
    throw new TypeError(`exportToOnnx: expected a tfjs Sequential model, got a ${model.getClassName()}; rebuild it with tf.sequential()`)
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError(`exportToOnnx: options must be an object { path?, inputName?, outputName?, opset? } (got ${shown(options)})`)
  parseCheckOptions('exportToOnnx', optionsSchema, options)
  const opset = options.opset ?? 13
  const input = model.inputs[0]!
  if (input.dtype !== 'float32') throw new TypeError(`exportToOnnx: the model input is ${input.dtype}; only float32 models are supported`)
  const inputName = options.inputName ?? input.name
  const outputName = options.outputName ?? model.layers[model.layers.length - 1]?.name ?? 'output'
  if (outputName === inputName) throw new TypeError(`exportToOnnx: inputName and outputName are both "${inputName}"; an ONNX graph needs distinct names`)
  const graph = new ChainGraph(inputName)
  for (const layer of model.layers) {
    const className = layer.getClassName()
    const config = layer.getConfig()
    if (className === 'InputLayer' || className === 'Dropout') continue
    if (className === 'Activation') {
      activationOp(graph, layer.name, className, config.activation)
    } else if (className === 'Dense') {
      const [kernel, bias] = layer.getWeights()
      const kernelName = graph.addInitializer(`${layer.name}/kernel`, kernel!.shape, kernel!.dataSync())
      graph.append({ opType: 'MatMul', name: `${layer.name}/MatMul`, inputs: [kernelName] })
      if (config.useBias !== false && bias) {
        graph.append({ opType: 'Add', name: `${layer.name}/BiasAdd`, inputs: [graph.addInitializer(`${layer.name}/bias`, bias.shape, bias.dataSync())] })
      }
      activationOp(graph, layer.name, className, config.activation)
    } else {
      throw new TypeError(`exportToOnnx: layer "${layer.name}" (${className}) is not supported; supported layers: ${SUPPORTED_LAYERS} with activations ${Object.keys(ACTIVATIONS).join(', ')}`)
    }
  }
  const proto = await loadOnnxProto('exportToOnnx')
  const bytes = graph.toModel(proto, {
    graphName: model.name,
    outputName,
    inputDims: dims(input.shape, 'input'),
    outputDims: dims(model.outputs[0]!.shape, 'output'),
    opset,
    irVersion: IR_VERSION,
  })
  if (options.path) {
    await mkdir(dirname(options.path), { recursive: true })
    await writeFile(options.path, bytes)
  }
  return bytes
}
