/**
 * Bad input to `benchOnnx` (a missing model, a feed that does not fit the model): an error,
 * not a failed assertion, with one line naming the problem and the fix.
 */
export type BenchOnnxErrorCode =
  | 'MODEL_NOT_FOUND'
  | 'MODEL_INVALID'
  | 'MODEL_UNSUPPORTED'
  | 'INPUT_MISSING'
  | 'INPUT_UNKNOWN'
  | 'INPUT_DTYPE'
  | 'INPUT_SHAPE'
  | 'INPUT_UNBUILDABLE'
  | 'RUN_FAILED'
  | 'BAD_OPTION'

export class BenchOnnxError extends Error {
  override name = 'BenchOnnxError'
  constructor(
    readonly code: BenchOnnxErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
