/**
 * checkModelParity feeds both implementations the same rows as one float32 batch [rows,
 * values per row]. A model that takes another input (another width, rank, dtype or a fixed
 * batch size) is refused before it runs, with the side, the expected and the given shape,
 * instead of tfjs's or onnxruntime's own error from deep inside `predict` or `run`.
 */

/** One model input as declared by the model: sizes, with null for a dynamic dimension. */
export interface DeclaredInput {
  name: string
  dtype: string
  shape: ReadonlyArray<number | string | null>
}

/** `x: float32 [batch, 64]`: a declared input; a dynamic dimension by its name, else `batch` on axis 0 and `?` elsewhere. */
export function formatInput(input: DeclaredInput): string {
  const dims = input.shape.map((d, axis) => (d === null || (typeof d === 'number' && d < 0) ? (axis === 0 ? 'batch' : '?') : String(d)))
  return `${input.name}: ${input.dtype} [${dims.join(', ')}]`
}

const isFixed = (d: number | string | null | undefined): d is number => typeof d === 'number' && d >= 0

/** The tfjs model's input (`model.inputs[0]`, a LayersModel's SymbolicTensor or a GraphModel's TensorInfo). */
export function tfjsInput(model: unknown): DeclaredInput | undefined {
  const first = (model as { inputs?: { name?: string; dtype?: string; shape?: (number | null)[] }[] }).inputs?.[0]
  if (!first?.shape) return undefined
  return { name: first.name ?? 'input', dtype: first.dtype ?? 'float32', shape: first.shape }
}

/** The onnxruntime session's input, from its metadata (onnxruntime-node >= 1.21); undefined without it. */
export function onnxruntimeInput(session: { inputNames: readonly string[]; inputMetadata?: readonly { name: string; isTensor: boolean; type?: string; shape?: ReadonlyArray<number | string> }[] }): DeclaredInput | undefined {
  const meta = session.inputMetadata?.[0]
  if (!meta?.isTensor || !meta.shape) return undefined
  return { name: meta.name, dtype: meta.type ?? 'float32', shape: meta.shape.map((d) => (typeof d === 'string' ? d || null : d)) }
}

/**
 * Throws a TypeError when a [rows, width] float32 batch does not fit `input`:
 * `checkModelParity: b (onnxruntime session): input 'x' takes 64 values per row, but the rows
 * have 4 (expected x: float32 [batch, 64], given float32 [83, 4]) — ...`.
 */
export function checkBatchFits(input: DeclaredInput, rows: number, width: number, who: string): void {
  const given = `float32 [${rows}, ${width}]`
  const expected = `expected ${formatInput(input)}, given ${given}`
  const prefix = `checkModelParity: ${who}: input '${input.name}'`
  if (input.dtype !== 'float32') {
    throw new TypeError(`${prefix} is ${input.dtype}, but checkModelParity feeds float32 (${expected}) — wrap the model in a predict function that converts the rows`)
  }
  if (input.shape.length !== 2) {
    throw new TypeError(`${prefix} has rank ${input.shape.length}, but checkModelParity feeds rank 2, one row per input (${expected}) — wrap the model in a predict function that reshapes the rows`)
  }
  const [batch, size] = input.shape
  if (isFixed(size) && size !== width) {
    throw new TypeError(`${prefix} takes ${size} values per row, but the rows have ${width} (${expected}) — pass rows of ${size} values, in the model's feature order`)
  }
  if (isFixed(batch) && batch !== rows) {
    throw new TypeError(`${prefix} takes a batch of exactly ${batch}, but there are ${rows} rows (${expected}) — pass ${batch} row${batch === 1 ? "" : "s"}, or wrap the model in a predict function that runs them ${batch} at a time`)
  }
}

/** A runtime error from tfjs or onnxruntime, with the check, the side and the given shape in front. */
export function runtimeError(error: unknown, who: string, rows: number, width: number, input: DeclaredInput | undefined): Error {
  const expected = input ? `expected ${formatInput(input)}, ` : ''
  const message = (error as Error)?.message ?? String(error)
  return new TypeError(`checkModelParity: ${who} failed on the inputs (${expected}given float32 [${rows}, ${width}]): ${message.split('\n')[0]}`, { cause: error })
}
