/**
 * A model artifact's serving contract: its input and output names, dtypes and shapes, and the
 * opset it needs. `checkCanary` compares the candidate's with the current model's before any
 * traffic runs, because a renamed input or a changed shape breaks every request a server
 * sends, whatever the model's accuracy.
 *
 * Read from the ONNX file itself (onnx-proto: names, dtypes, shapes with symbolic dims, the
 * ai.onnx opset) or, for an already open session, from onnxruntime's inputMetadata and
 * outputMetadata (no opset there).
 */
import { importOptional } from 'mltest/plugin'
import type { InferenceSession } from 'onnxruntime-node'
import type { onnx as OnnxNamespace } from 'onnx-proto'

/** A dimension: a fixed size, or `null` for a dynamic one (its symbolic name does not matter to a server). */
export type ContractDim = number | null

export interface ContractTensor {
  name: string
  /** onnxruntime's dtype names: float32, float64, int64, ... */
  dtype: string
  /** Undefined when the artifact does not say. */
  shape?: ContractDim[]
}

export interface ServingContract {
  inputs: ContractTensor[]
  outputs: ContractTensor[]
  /** The ai.onnx opset, when known. */
  opset?: number
}

/** ONNX TensorProto.DataType → onnxruntime's dtype names. */
const ONNX_DTYPES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64',
}

async function loadOnnxProto(): Promise<typeof OnnxNamespace> {
  const mod = await importOptional<{ onnx?: typeof OnnxNamespace; default?: { onnx: typeof OnnxNamespace } }>('onnx-proto', 'checkCanary on ONNX files')
  return mod.onnx ?? mod.default!.onnx
}

function tensorOf(info: OnnxNamespace.IValueInfoProto): ContractTensor {
  const tensorType = info.type?.tensorType
  const dims = tensorType?.shape?.dim
  return {
    name: info.name ?? '',
    dtype: ONNX_DTYPES[Number(tensorType?.elemType ?? 0)] ?? `onnx type ${String(tensorType?.elemType)}`,
    ...(dims ? { shape: dims.map((d) => (d.dimValue !== undefined && d.dimValue !== null && Number(d.dimValue) > 0 ? Number(d.dimValue) : null)) } : {}),
  }
}

/** The contract written in an ONNX model's bytes; `source` names the file in errors. */
export async function contractOfOnnxBytes(bytes: Uint8Array, source: string): Promise<ServingContract> {
  const onnx = await loadOnnxProto()
  let model: OnnxNamespace.ModelProto
  try {
    model = onnx.ModelProto.decode(bytes)
  } catch (error) {
    throw new TypeError(`checkCanary: ${source} is not an ONNX model (${(error as Error).message}) — pass the .onnx file the server loads`)
  }
  const graph = model.graph
  if (!graph) throw new TypeError(`checkCanary: ${source} has no graph, so it is not a servable ONNX model — pass the .onnx file the server loads`)
  const initializers = new Set((graph.initializer ?? []).map((i) => i.name))
  const opset = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx')?.version
  return {
    inputs: (graph.input ?? []).filter((i) => !initializers.has(i.name ?? '')).map(tensorOf),
    outputs: (graph.output ?? []).map(tensorOf),
    ...(opset !== undefined && opset !== null ? { opset: Number(opset) } : {}),
  }
}

type Metadata = InferenceSession['inputMetadata'][number]

function tensorOfMetadata(meta: Metadata): ContractTensor {
  if (!meta.isTensor) return { name: meta.name, dtype: 'non-tensor' }
  return { name: meta.name, dtype: meta.type, shape: meta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : null)) }
}

/** The contract an open onnxruntime session reports (no opset: the session does not expose it). */
export function contractOfSession(session: InferenceSession): ServingContract {
  const inputs = session.inputMetadata ? session.inputMetadata.map(tensorOfMetadata) : session.inputNames.map((name) => ({ name, dtype: 'unknown' }))
  const outputs = session.outputMetadata ? session.outputMetadata.map(tensorOfMetadata) : session.outputNames.map((name) => ({ name, dtype: 'unknown' }))
  return { inputs, outputs }
}

function showShape(shape: ContractDim[] | undefined): string {
  return shape ? `[${shape.map((d) => (d === null ? '?' : d)).join(', ')}]` : 'unknown'
}

function compareTensors(kind: 'input' | 'output', current: ContractTensor[], candidate: ContractTensor[], mismatches: string[]): void {
  const names = (list: ContractTensor[]) => list.map((t) => t.name).join(', ') || 'none'
  if (current.length !== candidate.length) {
    mismatches.push(`${kind}s: current has ${current.length} (${names(current)}), candidate has ${candidate.length} (${names(candidate)})`)
  }
  for (let i = 0; i < Math.min(current.length, candidate.length); i++) {
    const a = current[i]!
    const b = candidate[i]!
    if (a.name !== b.name) mismatches.push(`${kind} ${i} renamed: current "${a.name}", candidate "${b.name}"`)
    if (a.dtype !== b.dtype) mismatches.push(`${kind} "${a.name}" dtype: current ${a.dtype}, candidate ${b.dtype}`)
    // A dynamic dim matches a dynamic one whatever its symbolic name; a fixed size must match exactly.
    const shapesDiffer = a.shape && b.shape && (a.shape.length !== b.shape.length || a.shape.some((d, j) => d !== b.shape![j]))
    if (shapesDiffer) mismatches.push(`${kind} "${a.name}" shape: current ${showShape(a.shape)}, candidate ${showShape(b.shape)}`)
  }
}

/** Every difference between two contracts, one line each (empty when they match). */
export function compareContracts(current: ServingContract, candidate: ServingContract): string[] {
  const mismatches: string[] = []
  compareTensors('input', current.inputs, candidate.inputs, mismatches)
  compareTensors('output', current.outputs, candidate.outputs, mismatches)
  if (current.opset !== undefined && candidate.opset !== undefined && current.opset !== candidate.opset) {
    mismatches.push(`opset: current ${current.opset}, candidate ${candidate.opset} (the serving runtime must support the candidate's)`)
  }
  return mismatches
}

/** One line per tensor, e.g. `input x float32 [?, 4]; output probs float32 [?, 3]; opset 13`. */
export function describeContract(contract: ServingContract): string {
  const tensors = [...contract.inputs.map((t) => ['input', t] as const), ...contract.outputs.map((t) => ['output', t] as const)]
  const parts = tensors.map(([kind, t]) => `${kind} ${t.name} ${t.dtype} ${showShape(t.shape)}`)
  if (contract.opset !== undefined) parts.push(`opset ${contract.opset}`)
  return parts.join('; ')
}
