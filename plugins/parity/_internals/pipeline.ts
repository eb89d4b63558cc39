/**
 * Running a user's feature pipeline. A pipeline is either a per-record function or an object
 * with `batch(records)`, because one of the commonest skew bugs (statistics recomputed on the
 * serving batch) only exists when the serving code sees a batch at a time.
 */
import type { Features } from './compare-features.ts'

/** Turns a raw record into named features: per record, or a whole batch at once. */
export type FeaturePipeline<R> =
  | ((record: R) => Features | Promise<Features>)
  | { batch(records: readonly R[]): readonly Features[] | Promise<readonly Features[]> }

/** How a record is named in reports: a field of the raw record, or a function; default `#<index>`. */
export type KeyBy<R> = string | ((record: R, index: number) => string)

function checkFeatures(value: unknown, side: string, check: string, index: number): Features {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value
    throw new TypeError(`${check}: the ${side} pipeline returned ${got} for record #${index}; it must return an object of named features, e.g. { age: 0.3, island: [1, 0, 0] }`)
  }
  return value as Features
}

/** Runs a pipeline over `records`; `offset` is the index of the first record, for error messages. */
export async function runPipeline<R>(
  pipeline: FeaturePipeline<R>,
  records: readonly R[],
  side: string,
  check: string,
  offset = 0,
): Promise<Features[]> {
  if (typeof pipeline === 'function') {
    const out: Features[] = new Array(records.length)
    for (let i = 0; i < records.length; i++) {
      const result = pipeline(records[i]!)
      out[i] = checkFeatures(result instanceof Promise ? await result : result, side, check, offset + i)
    }
    return out
  }
  const rows = await pipeline.batch(records)
  if (!Array.isArray(rows) || rows.length !== records.length) {
    const got = Array.isArray(rows) ? `${rows.length} rows` : typeof rows
    throw new TypeError(`${check}: the ${side} pipeline's batch() returned ${got} for ${records.length} records; it must return one features object per record, in order`)
  }
  return rows.map((row, i) => checkFeatures(row, side, check, offset + i))
}

/** The report name of a record. */
export function keyOf<R>(keyBy: KeyBy<R> | undefined, record: R, index: number): string {
  if (keyBy === undefined) return `#${index}`
  if (typeof keyBy === 'function') return `${keyBy(record, index)}`
  const value = typeof record === 'object' && record !== null ? (record as Record<string, unknown>)[keyBy] : undefined
  return value === undefined ? `#${index}` : `${keyBy}=${String(value)}`
}
