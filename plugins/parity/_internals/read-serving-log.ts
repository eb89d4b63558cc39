/**
 * Reading a serving-feature log one record at a time. A JSONL file is streamed line by line
 * (node:readline over a read stream), so memory stays flat however large the log is; a user
 * reader (any iterable or async iterable of records) is consumed the same way.
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { Features } from './compare-features.ts'

/** One logged serving request: the raw input and the features the serving system computed. */
export interface ServingLogRecord<R> {
  raw: R
  features: Features
}

/** A JSONL path (or file URL), or any iterable / async iterable of records. */
export type ServingLogSource<R> = string | URL | Iterable<ServingLogRecord<R>> | AsyncIterable<ServingLogRecord<R>>

export interface LoggedRecord<R> extends ServingLogRecord<R> {
  /** Line number in the file, or index in the reader: where the record came from. */
  position: number
}

/** How a record's position reads in a report: `line 17` for files, `#16` for readers. */
export type PositionLabel = (position: number) => string

const SHAPE = 'each record must be {"raw": <raw input>, "features": {<name>: <value>, ...}}'

function validated<R>(value: unknown, position: number, where: () => string, check: string): LoggedRecord<R> {
  const record = value as { raw?: unknown; features?: unknown } | null
  const ok = typeof record === 'object' && record !== null && 'raw' in record &&
    typeof record.features === 'object' && record.features !== null && !Array.isArray(record.features)
  if (!ok) throw new TypeError(`${check}: serving log ${where()} is not a log record; ${SHAPE}`)
  return { raw: record.raw as R, features: record.features as ServingLogRecord<R>['features'], position }
}

/**
 * Yields records in batches of up to `batchSize`: one promise per batch rather than per record
 * keeps the async overhead off the per-record path.
 */
async function* readJsonl<R>(path: string, batchSize: number, check: string): AsyncGenerator<LoggedRecord<R>[]> {
  const info = await stat(path).catch(() => undefined)
  if (!info?.isFile()) throw new TypeError(`${check}: serving log not found: ${path}; pass a JSONL file path or an iterable of records`)
  const stream = createReadStream(path, { encoding: 'utf8' })
  const lines = createInterface({ input: stream, crlfDelay: Infinity })
  let lineNo = 0
  let batch: LoggedRecord<R>[] = []
  try {
    for await (const line of lines) {
      lineNo++
      if (line.trim() === '') continue
      let parsed: unknown
      try {
        parsed = JSON.parse(line)
      } catch (error) {
        throw new TypeError(`${check}: ${path}:${lineNo} is not valid JSON (${(error as Error).message}); ${SHAPE}, one per line`)
      }
      batch.push(validated<R>(parsed, lineNo, () => `${path}:${lineNo}`, check))
      if (batch.length === batchSize) {
        yield batch
        batch = []
      }
    }
    if (batch.length) yield batch
  } finally {
    lines.close()
    stream.destroy()
  }
}

async function* readIterable<R>(source: Iterable<ServingLogRecord<R>> | AsyncIterable<ServingLogRecord<R>>, batchSize: number, check: string): AsyncGenerator<LoggedRecord<R>[]> {
  let index = 0
  let batch: LoggedRecord<R>[] = []
  for await (const record of source) {
    batch.push(validated<R>(record, index, () => `record #${index}`, check))
    index++
    if (batch.length === batchSize) {
      yield batch
      batch = []
    }
  }
  if (batch.length) yield batch
}

/** Yields the records of a log source in order, in batches, with where each came from. */
export function readServingLog<R>(source: ServingLogSource<R>, batchSize: number, check: string): { batches: AsyncGenerator<LoggedRecord<R>[]>; label: PositionLabel } {
  if (typeof source === 'string' || source instanceof URL) {
    const path = typeof source === 'string' ? source : fileURLToPath(source)
    return { batches: readJsonl(path, batchSize, check), label: (position) => `line ${position}` }
  }
  const iterable = source as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown } | null
  if (iterable && (typeof iterable[Symbol.asyncIterator] === 'function' || typeof iterable[Symbol.iterator] === 'function')) {
    return { batches: readIterable(source, batchSize, check), label: (position) => `#${position}` }
  }
  throw new TypeError(`${check}: \`log\` must be a JSONL file path, a file URL, or an (async) iterable of { raw, features } records`)
}

/** A description of the source for reports. */
export function describeSource(source: ServingLogSource<unknown>): string {
  if (typeof source === 'string') return source
  if (source instanceof URL) return fileURLToPath(source)
  return 'a record reader'
}
