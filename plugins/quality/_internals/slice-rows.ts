/**
 * Assigns rows to slices: by one column, by several columns crossed, or by a function.
 * Numeric columns with more distinct values than bins are cut at quantiles of their values;
 * a missing value (null, undefined, NaN) is a slice of its own, `(missing)`.
 */
import { formatNumber } from 'mltest/plugin'
import { quantileSorted } from './bootstrap.ts'

export type Row = Readonly<Record<string, unknown>>
export type SliceKey = string | number | boolean | null | undefined
export type SliceBy<R extends object = Row> = string | readonly string[] | ((row: R, index: number) => SliceKey)

export const MISSING = '(missing)'

const isMissing = (v: unknown) => v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))

/** The label of each row's bin of a numeric column, bins cut at quantiles (edges deduplicated). */
function binLabels(column: string, values: unknown[], bins: number): string[] {
  const numbers = values.filter((v): v is number => typeof v === 'number' && !Number.isNaN(v)).sort((a, b) => a - b)
  const edges = [...new Set(Array.from({ length: bins - 1 }, (_, k) => quantileSorted(numbers, (k + 1) / bins)))]
  const lo = numbers[0]!
  const hi = numbers[numbers.length - 1]!
  const bounds = [lo, ...edges.filter((e) => e > lo && e <= hi), Number.POSITIVE_INFINITY]
  return values.map((v) => {
    if (isMissing(v)) return `${column}=${MISSING}`
    const x = v as number
    let b = 0
    while (b < bounds.length - 2 && x >= bounds[b + 1]!) b++
    const upper = bounds[b + 1]!
    return upper === Number.POSITIVE_INFINITY ? `${column} in [${formatNumber(bounds[b]!)}, ${formatNumber(hi)}]` : `${column} in [${formatNumber(bounds[b]!)}, ${formatNumber(upper)})`
  })
}

function columnLabels(check: string, rows: readonly Row[], column: string, bins: number): string[] {
  const values = rows.map((row) => row[column])
  const present = values.filter((v) => !isMissing(v))
  if (present.length === 0) {
    throw new RangeError(`${check}: slice column "${column}" is empty (no row has a value for it); check the column name${rows[0] ? ` (columns: ${Object.keys(rows[0]).join(', ')})` : ''}`)
  }
  const numeric = present.every((v) => typeof v === 'number')
  if (numeric && new Set(present).size > bins) return binLabels(column, values, bins)
  return values.map((v) => `${column}=${isMissing(v) ? MISSING : String(v)}`)
}

/** Each row's slice label (undefined: the row is in no slice, as a function may say). */
export function sliceLabels(check: string, rows: readonly Row[], sliceBy: SliceBy, bins: number): (string | undefined)[] {
  if (typeof sliceBy === 'function') {
    return rows.map((row, i) => {
      const key = sliceBy(row, i)
      return key === undefined || key === null ? undefined : String(key)
    })
  }
  const columns = typeof sliceBy === 'string' ? [sliceBy] : [...sliceBy]
  if (columns.length === 0) throw new RangeError(`${check}: option "sliceBy" names no column; pass a column, several columns or a function`)
  const perColumn = columns.map((c) => columnLabels(check, rows, c, bins))
  return rows.map((_, i) => perColumn.map((labels) => labels[i]).join(', '))
}

/** Row indices per slice label, in order of first appearance. */
export function groupRows(labels: readonly (string | undefined)[]): Map<string, number[]> {
  const groups = new Map<string, number[]>()
  labels.forEach((label, i) => {
    if (label === undefined) return
    let members = groups.get(label)
    if (!members) groups.set(label, (members = []))
    members.push(i)
  })
  return groups
}
