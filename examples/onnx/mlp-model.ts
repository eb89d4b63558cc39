/**
 * Builds a small multi-layer perceptron as an ONNX model in plain JS (MatMul, Add, Relu via
 * onnx-proto), so the example needs no Python exporter and commits no binary model files.
 * Weights are a fixed deterministic pattern: latency does not depend on their values, and
 * tests can recompute the outputs in JS.
 */
import { writeFileSync } from 'node:fs'
import onnxProto from 'onnx-proto'

const { onnx } = onnxProto

export interface MlpSpec {
  inputSize: number
  hidden: number[]
  outputSize: number
  /** ai.onnx opset to stamp. Default 17. */
  opset?: number
  /** ONNX IR version to stamp. Default 8. */
  irVersion?: number
}

/** ~10 k parameters: fast enough that batch 1 sits near the runtime's fixed overhead. */
export const SMALL_MLP: MlpSpec = { inputSize: 64, hidden: [128], outputSize: 10 }
/** ~5.3 M parameters (21 MB of weights): compute-bound at larger batches. */
export const LARGE_MLP: MlpSpec = { inputSize: 512, hidden: [2048, 2048], outputSize: 10 }

/** The deterministic weight pattern: a multiplicative hash spread over He-uniform's range. */
export function mlpWeight(layer: number, index: number, fanIn: number): number {
  const hash = (Math.imul(index + 1, 2654435761) ^ Math.imul(layer + 1, 40503)) >>> 0
  return (hash / 4294967296 - 0.5) * 2 * Math.sqrt(6 / fanIn)
}

export function mlpBias(layer: number, index: number): number {
  return 0.01 * Math.cos(index + layer)
}

function floatTensor(name: string, dims: number[], value: (i: number) => number) {
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1))
  for (let i = 0; i < data.length; i++) data[i] = value(i)
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer) })
}

function valueInfo(name: string, size: number) {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: size }] } } },
  })
}

/** The model's bytes: input `x` float32 [batch, inputSize], output `y` float32 [batch, outputSize]. */
export function buildMlp(spec: MlpSpec): Uint8Array {
  const sizes = [spec.inputSize, ...spec.hidden, spec.outputSize]
  const nodes: ReturnType<typeof onnx.NodeProto.create>[] = []
  const initializer: ReturnType<typeof onnx.TensorProto.create>[] = []
  let current = 'x'
  for (let layer = 0; layer < sizes.length - 1; layer++) {
    const [fanIn, fanOut] = [sizes[layer]!, sizes[layer + 1]!]
    initializer.push(floatTensor(`W${layer}`, [fanIn, fanOut], (i) => mlpWeight(layer, i, fanIn)))
    initializer.push(floatTensor(`b${layer}`, [fanOut], (i) => mlpBias(layer, i)))
    const last = layer === sizes.length - 2
    nodes.push(onnx.NodeProto.create({ opType: 'MatMul', input: [current, `W${layer}`], output: [`mm${layer}`], name: `matmul${layer}` }))
    nodes.push(onnx.NodeProto.create({ opType: 'Add', input: [`mm${layer}`, `b${layer}`], output: [last ? 'y' : `z${layer}`], name: `add${layer}` }))
    if (!last) nodes.push(onnx.NodeProto.create({ opType: 'Relu', input: [`z${layer}`], output: [`h${layer}`], name: `relu${layer}` }))
    current = `h${layer}`
  }
  const model = onnx.ModelProto.create({
    irVersion: spec.irVersion ?? 8,
    producerName: 'mltest-example',
    opsetImport: [{ domain: '', version: spec.opset ?? 17 }],
    graph: { name: 'mlp', node: nodes, initializer, input: [valueInfo('x', spec.inputSize)], output: [valueInfo('y', spec.outputSize)] },
  })
  return onnx.ModelProto.encode(model).finish()
}

/** Writes the model to `path` and returns the path. */
export function writeMlp(path: string, spec: MlpSpec): string {
  writeFileSync(path, buildMlp(spec))
  return path
}
