/**
 * The plain tensor `arb.tensor` generates: a typed array with its shape and dtype. It has
 * `shape` and `data`, so `expect(...).toAllClose`, `toBeFinite` and the oracles read it as
 * they read an onnxruntime tensor, and `tf.tensor(t.data, t.shape)` turns it into a tfjs one.
 */

export type DType = 'float32' | 'float64' | 'int32'

export interface TypedArrayFor {
  float32: Float32Array
  float64: Float64Array
  int32: Int32Array
}

export interface TensorValue<D extends DType = DType> {
  /** Row-major values. */
  data: TypedArrayFor[D]
  shape: number[]
  dtype: D
}

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32']

/** A typed array of the dtype holding `values` (rounded to float32 / wrapped to int32 as stored). */
export function typedArrayOf<D extends DType>(dtype: D, values: ArrayLike<number>): TypedArrayFor[D] {
  const ctor = dtype === 'float32' ? Float32Array : dtype === 'float64' ? Float64Array : Int32Array
  return ctor.from(values) as TypedArrayFor[D]
}

/** Elements a shape holds (1 for a scalar `[]`). */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1)
}

/** Whether a value is a `TensorValue` (as opposed to a tfjs tensor or a plain array). */
export function isTensorValue(value: unknown): value is TensorValue {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Partial<TensorValue>
  return Array.isArray(v.shape) && ArrayBuffer.isView(v.data) && typeof v.dtype === 'string' && DTYPES.includes(v.dtype)
}

/**
 * A copy of a tensor value with its data mapped element by element (stored in the same
 * dtype), e.g. `mapTensor(x, (v) => v + 3)` for a shift, as `invariantUnder` transforms need.
 */
export function mapTensor<D extends DType>(tensor: TensorValue<D>, fn: (value: number, index: number) => number): TensorValue<D> {
  const values = Array.from(tensor.data as ArrayLike<number>, fn)
  return { data: typedArrayOf(tensor.dtype, values), shape: [...tensor.shape], dtype: tensor.dtype }
}
