/**
 * A minimal ONNX graph builder: a chain of nodes where each op consumes the previous tensor,
 * plus float32 initializers. Enough for Dense stacks, and small enough to read against the
 * ONNX operator spec.
 */
import type { onnx } from 'onnx-proto'

type Onnx = typeof onnx

/** ONNX TensorProto.DataType.FLOAT. */
const FLOAT = 1
/** ONNX AttributeProto.AttributeType.INT. */
const INT = 2

export interface ChainOp {
  opType: string
  /** Extra inputs after the chained tensor (initializer names). */
  inputs?: string[]
  /** Integer attributes, e.g. Softmax's axis. */
  intAttributes?: Record<string, number>
  /** Node name; its output tensor is named after it. */
  name: string
}

/** A dimension: a fixed size, or a symbolic name such as `batch`. */
export type Dim = number | string

export class ChainGraph {
  private readonly nodes: onnx.INodeProto[] = []
  private readonly initializers: onnx.ITensorProto[] = []
  private current: string

  constructor(private readonly inputName: string) {
    this.current = inputName
  }

  addInitializer(name: string, dims: number[], values: ArrayLike<number>): string {
    this.initializers.push({ name, dims, dataType: FLOAT, floatData: Array.from(values) })
    return name
  }

  /** Appends `op(current, ...inputs)` and makes its output the current tensor. */
  append(op: ChainOp): void {
    const output = op.name
    const attribute = Object.entries(op.intAttributes ?? {}).map(([name, i]) => ({ name, type: INT, i }))
    this.nodes.push({ name: op.name, opType: op.opType, input: [this.current, ...(op.inputs ?? [])], output: [output], attribute })
    this.current = output
  }

  /**
   * Builds the ModelProto. The last node's output is renamed to `outputName`; a graph with no
   * node at all (e.g. only dropout layers) gets an Identity so input and output differ.
   */
  toModel(proto: Onnx, options: { graphName: string; outputName: string; inputDims: Dim[]; outputDims: Dim[]; opset: number; irVersion: number }): Uint8Array {
    if (this.nodes.length === 0) this.append({ opType: 'Identity', name: 'identity' })
    this.nodes[this.nodes.length - 1]!.output = [options.outputName]
    const valueInfo = (name: string, dims: Dim[]): onnx.IValueInfoProto => ({
      name,
      type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
    })
    const model = proto.ModelProto.create({
      irVersion: options.irVersion,
      producerName: 'mltest',
      opsetImport: [{ domain: '', version: options.opset }],
      graph: {
        name: options.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: [valueInfo(this.inputName, options.inputDims)],
        output: [valueInfo(options.outputName, options.outputDims)],
      },
    })
    return proto.ModelProto.encode(model).finish()
  }
}
