/**
 * The options of `arb.tensor`, `arb.shape`, `arb.batch` and `arb.tfTensor`, declared once as
 * zod schemas: each call parses its options with them (an unknown or mistyped option is a
 * one-line error), and the TypeScript option types derive from them. Defaults that other
 * options are checked against (maxDim against minDim) live in the schema too.
 */
import fc, { type Arbitrary } from 'fast-check'
import { z } from 'mltest/plugin'
import { edgeBiasSchema } from './_internals/defaults.ts'
import { field, isNumber } from './_internals/option-fields.ts'
import { DTYPES, type DType } from './_internals/tensor-value.ts'

export function isArbitrary(value: unknown): value is Arbitrary<unknown> {
  return value instanceof fc.Arbitrary
}

export const isShape = (value: unknown): value is number[] => Array.isArray(value) && value.every((d) => Number.isInteger(d) && d >= 0)
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0

/** Options of the elements, shared by `arb.tensor`, `arb.batch` and `arb.tfTensor`. */
const elementFields = {
  /** Default `'float32'`. */
  dtype: z.enum(DTYPES as [DType, ...DType[]]).optional(),
  /** Smallest value (default: the dtype's lowest finite value). */
  min: field<number>('min', 'a number', isNumber).optional(),
  /** Largest value (default: the dtype's highest finite value). */
  max: field<number>('max', 'a number', isNumber).optional(),
  /**
   * Probability of drawing an element from the edge values (0 or `false`: off). Default and
   * `true`: the plugin's `edgeBias` option, 0.1 unless configured.
   */
  edgeBias: field<number | boolean>('edgeBias', 'a number in [0, 1] or a boolean (0 or false: off)', (v) => typeof v === 'boolean' || edgeBiasSchema.safeParse(v).success).optional(),
  /** Also generate NaN and, when the bounds allow, ±Infinity (default false). */
  nonFinite: z.boolean().optional(),
}

export const tensorOptions = z.object({
  /** A fixed shape such as `[4, 8]`, or a shape arbitrary such as `arb.shape({ rank: 2 })`. */
  shape: field<readonly number[] | Arbitrary<number[]>>('shape', 'an array of non-negative integers, or a shape arbitrary such as arb.shape({ rank: 2 })', (v) => isShape(v) || isArbitrary(v)),
  ...elementFields,
})

/** `option "<high>" must be >= <low> <value>`, for pairs such as minDim and maxDim. */
function ordered<T extends Record<string, unknown>>(low: keyof T & string, high: keyof T & string) {
  return [
    (o: T) => (o[high] as number) >= (o[low] as number),
    { error: (issue: { input: unknown }) => `option "${high}" must be >= ${low} ${String((issue.input as T)[low])} (got ${String((issue.input as T)[high])})` },
  ] as const
}

export const shapeOptions = z
  .object({
    /** A rank, or `[minRank, maxRank]` (default 1). */
    rank: field<number | readonly [number, number]>('rank', 'an integer >= 0 or a [minRank, maxRank] pair of them', (v) => isCount(v) || (Array.isArray(v) && v.length === 2 && v.every(isCount))).default(1),
    /** Smallest dimension (default 1; 0 allows empty tensors). */
    minDim: z.number().int().min(0).default(1),
    /** Largest dimension (default 8). */
    maxDim: z.number().int().min(0).default(8),
  })
  .refine((o) => typeof o.rank === 'number' || o.rank[0] <= o.rank[1], { error: (issue) => `option "rank" must be a [minRank, maxRank] pair with minRank <= maxRank (got ${JSON.stringify((issue.input as { rank: unknown }).rank)})` })
  .refine(...ordered<{ minDim: number; maxDim: number }>('minDim', 'maxDim'))

export const batchOptions = z
  .object({
    /** Shape of one example; the batch adds a leading dimension. */
    shape: field<readonly number[]>('shape', 'an array of non-negative integers (the shape of one example)', isShape),
    /** Smallest batch (default 1: batch statistics over one example are a classic edge). */
    minSize: z.number().int().min(0).default(1),
    /** Largest batch (default 16). */
    maxSize: z.number().int().min(0).default(16),
    ...elementFields,
  })
  .refine(...ordered<{ minSize: number; maxSize: number }>('minSize', 'maxSize'))

export type TensorOptions<D extends DType = 'float32'> = Omit<z.input<typeof tensorOptions>, 'dtype'> & {
  /** Default `'float32'`. */
  dtype?: D
}

export type ShapeOptions = z.input<typeof shapeOptions>

export type BatchOptions<D extends DType = 'float32'> = Omit<z.input<typeof batchOptions>, 'dtype'> & {
  /** Default `'float32'`. */
  dtype?: D
}
