/**
 * The two sides of a canary as one calling convention: an ONNX file (path or bytes), an open
 * onnxruntime session, or a predict function all take a batch of input rows and give back a
 * flat row-major output with its row width, plus the serving contract when the artifact has one.
 * Also the recorded traffic: a JSONL file or an array of records, each an input row.
 */
import { readFile } from 'node:fs/promises'
import { importOptional, toFlatNumbers } from 'mltest/plugin'
import type { InferenceSession } from 'onnxruntime-node'
import { contractOfOnnxBytes, contractOfSession, type ServingContract } from './canary-contract.ts'

/** A batch of input rows → outputs (nested arrays, typed array or tensor-like with dataSync/data). */
export type CanaryPredict = (rows: number[][]) => unknown

/**
 * A model as a canary takes it: the ONNX file a server loads (path or bytes), an open
 * onnxruntime session, a predict function, or `{ predict, contract }` to compare a predict
 * function's declared contract too.
 */
export type CanaryModel = string | Uint8Array | InferenceSession | CanaryPredict | { predict: CanaryPredict; contract?: ServingContract }

/** One recorded request: its input row, bare or as `{ "input": [...] }`. */
export type TrafficRecord = readonly number[] | { input: readonly number[] }

export interface OpenedModel {
  /** `model.onnx`, `onnxruntime session`, `predict function`. */
  label: string
  contract?: ServingContract
  run(rows: number[][]): Promise<{ values: ArrayLike<number>; width: number }>
  /** Frees what the canary opened (an onnxruntime session it created); a caller's own session stays open. */
  close(): Promise<void>
}

const nothingToClose = async () => {}

function isSession(model: unknown): model is InferenceSession {
  const m = model as Record<string, unknown> | null
  return typeof m === 'object' && m !== null && typeof m.run === 'function' && Array.isArray(m.inputNames)
}

function flatten(output: unknown, rows: number, label: string): { values: ArrayLike<number>; width: number } {
  let values: ArrayLike<number>
  try {
    values = toFlatNumbers(output).values
  } catch (error) {
    throw new TypeError(`checkCanary: ${label} returned no numbers: ${(error as Error).message}`)
  }
  if (values.length === 0 || values.length % rows !== 0) {
    throw new TypeError(`checkCanary: ${label} returned ${values.length} numbers for ${rows} rows; it must return one output row per input row`)
  }
  return { values, width: values.length / rows }
}

function sessionRunner(session: InferenceSession, ort: typeof import('onnxruntime-node'), label: string, contract: ServingContract): OpenedModel['run'] {
  if (session.inputNames.length !== 1) {
    throw new TypeError(`checkCanary: ${label} has inputs ${session.inputNames.join(', ')}; a canary feeds one input row per request — wrap the model in a predict function`)
  }
  const inputName = session.inputNames[0]!
  const outputName = session.outputNames[0]!
  const dtype = contract.inputs[0]?.dtype === 'float64' ? 'float64' : 'float32'
  const fixedBatch = contract.inputs[0]?.shape?.[0] ?? null
  const once = async (rows: number[][]) => {
    const width = rows[0]!.length
    const data = dtype === 'float64' ? Float64Array.from(rows.flat()) : Float32Array.from(rows.flat())
    let result: InferenceSession.OnnxValueMapType
    try {
      result = await session.run({ [inputName]: new ort.Tensor(dtype, data, [rows.length, width]) })
    } catch (error) {
      throw new TypeError(`checkCanary: ${label} failed on a batch of ${rows.length} rows of width ${width}: ${(error as Error).message.split('\n')[0]}`)
    }
    return result[outputName]!.data as unknown as ArrayLike<number>
  }
  return async (rows) => {
    // A model with a fixed batch size gets batches of exactly that size.
    const size = typeof fixedBatch === 'number' ? fixedBatch : rows.length
    const parts: ArrayLike<number>[] = []
    for (let start = 0; start < rows.length; start += size) parts.push(await once(rows.slice(start, start + size)))
    const values = parts.length === 1 ? parts[0]! : Float64Array.from(parts.flatMap((p) => Array.from(p)))
    return flatten(values, rows.length, label)
  }
}

/** Opens one side of the canary; `side` is `current` or `candidate`, for messages. */
export async function openModel(model: CanaryModel, side: string): Promise<OpenedModel> {
  if (typeof model === 'function') return { label: `${side} (predict function)`, run: async (rows) => flatten(await model(rows), rows.length, side), close: nothingToClose }
  if (typeof model === 'string' || model instanceof Uint8Array) {
    const source = typeof model === 'string' ? model : `${side}'s model bytes`
    let bytes: Uint8Array
    try {
      bytes = typeof model === 'string' ? await readFile(model) : model
    } catch (error) {
      throw new TypeError(`checkCanary: cannot read the ${side} model ${model} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}) — pass the path of the .onnx file the server loads`)
    }
    const contract = await contractOfOnnxBytes(bytes, source)
    const ort = await importOptional<typeof import('onnxruntime-node')>('onnxruntime-node', 'checkCanary on ONNX files')
    let session: InferenceSession
    try {
      session = await ort.InferenceSession.create(bytes)
    } catch (error) {
      throw new TypeError(`checkCanary: onnxruntime cannot load the ${side} model ${source}: ${(error as Error).message.split('\n')[0]}`)
    }
    return { label: `${side} (${source})`, contract, run: sessionRunner(session, ort, `${side} (${source})`, contract), close: () => session.release() }
  }
  if (isSession(model)) {
    const ort = await importOptional<typeof import('onnxruntime-node')>('onnxruntime-node', 'checkCanary on ONNX sessions')
    const contract = contractOfSession(model)
    return { label: `${side} (onnxruntime session)`, contract, run: sessionRunner(model, ort, `${side} (onnxruntime session)`, contract), close: nothingToClose }
  }
  const predict = model.predict
  return { label: `${side} (predict function)`, ...(model.contract ? { contract: model.contract } : {}), run: async (rows) => flatten(await predict(rows), rows.length, side), close: nothingToClose }
}

function rowOf(record: unknown, where: string): number[] {
  const row = Array.isArray(record) ? record : (record as { input?: unknown } | null)?.input
  if (!Array.isArray(row) || row.length === 0 || !row.every((v) => typeof v === 'number')) {
    throw new TypeError(`checkCanary: traffic ${where} is not a request; each record must be an array of numbers or {"input": [numbers]}`)
  }
  return row as number[]
}

/** The input rows of the recorded traffic, at most `limit`, all of one width. */
export async function readTraffic(traffic: string | readonly TrafficRecord[], limit: number): Promise<number[][]> {
  let rows: number[][]
  if (typeof traffic === 'string') {
    let text: string
    try {
      text = await readFile(traffic, 'utf8')
    } catch (error) {
      throw new TypeError(`checkCanary: cannot read traffic ${traffic} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}) — pass a JSONL file of recorded requests or an array of records`)
    }
    rows = []
    const lines = text.split('\n')
    for (let i = 0; i < lines.length && rows.length < limit; i++) {
      if (lines[i]!.trim() === '') continue
      let parsed: unknown
      try {
        parsed = JSON.parse(lines[i]!)
      } catch (error) {
        throw new TypeError(`checkCanary: ${traffic}:${i + 1} is not valid JSON (${(error as Error).message}); one record per line, e.g. {"input": [1.5, 2]}`)
      }
      rows.push(rowOf(parsed, `${traffic}:${i + 1}`))
    }
  } else {
    rows = traffic.slice(0, limit).map((record, i) => rowOf(record, `record ${i}`))
  }
  if (rows.length === 0) throw new TypeError(`checkCanary: the traffic has no records — record some requests first (a JSONL file, one {"input": [...]} per line)`)
  const width = rows[0]!.length
  const odd = rows.findIndex((r) => r.length !== width)
  if (odd >= 0) throw new TypeError(`checkCanary: traffic record ${odd} has ${rows[odd]!.length} values, record 0 has ${width}; every request must have the same width`)
  return rows
}
