/**
 * `checkInvariance`: CheckList's invariance test (Ribeiro et al., 2020) for inclusion:
 * changing only a group attribute of a record (sex, a name, a pronoun) must not change the
 * model's prediction. Reports the flip rate and the flipped records. With tolerance 0 (the
 * default) every record is the property: one flip fails, none passes. With a tolerated flip
 * rate, the Wilson interval of the observed rate decides, and straddling is inconclusive.
 */
import { CheckFailure, formatNumber, formatTable, parseCheckOptions, recordCheck, shownValue, z } from 'mltest/plugin'
import { intervalText, intervalVerdict, levelText, type IntervalVerdict } from './_internals/intervals.ts'
import { confidenceOption, functionOption, rowsOption } from './_internals/option-schemas.ts'
import type { Row } from './_internals/slice-rows.ts'
import { wilsonInterval } from './_internals/wilson.ts'

export interface CheckInvarianceOptions<R extends object = Row> {
  /** The model: records → one prediction per record (labels, or numbers compared within `atol`). */
  predict: (records: R[]) => ArrayLike<unknown> | Promise<ArrayLike<unknown>>
  /** The records to perturb. */
  records: readonly R[]
  /** Returns a copy of the record with only the group attribute changed (e.g. sex swapped). */
  perturb: (record: R, index: number) => R
  /** Largest acceptable flip rate (default 0: no record may flip). */
  tolerance?: number
  /** Numeric predictions within this absolute difference are unchanged (default 0: exact). */
  atol?: number
  /** Confidence level of the flip-rate interval when tolerance > 0 (default 0.95). */
  confidence?: number
  /** Flipped records listed in the report (default 10). */
  show?: number
}

export interface FlippedRecord<R extends object = Row> {
  index: number
  record: R
  perturbed: R
  before: unknown
  after: unknown
}

export interface InvarianceResult<R extends object = Row> {
  verdict: IntervalVerdict
  n: number
  flips: number
  flipRate: number
  lower: number
  upper: number
  flipped: FlippedRecord<R>[]
}

const CHECK = 'checkInvariance'

const optionsSchema = z.object({
  predict: functionOption<CheckInvarianceOptions['predict']>('predict', '(records) => predictions'),
  records: rowsOption<readonly Row[]>('records'),
  perturb: functionOption<CheckInvarianceOptions['perturb']>('perturb', '(record, index) => perturbed record'),
  tolerance: z.number().min(0).lt(1).optional(),
  atol: z.number().min(0).optional(),
  confidence: confidenceOption.optional(),
  show: z.number().int().min(0).optional(),
} satisfies Record<keyof CheckInvarianceOptions, z.ZodType>)

async function predictAll(predict: CheckInvarianceOptions['predict'], records: Row[], what: string): Promise<unknown[]> {
  const out = await predict(records)
  if (out === null || typeof out !== 'object' || typeof (out as ArrayLike<unknown>).length !== 'number') {
    throw new TypeError(`${CHECK}: predict returned ${out === null ? 'null' : typeof out} for the ${what} records, not an array; return one prediction per record`)
  }
  const values = Array.from(out as ArrayLike<unknown>)
  if (values.length !== records.length) throw new RangeError(`${CHECK}: predict returned ${values.length} predictions for ${records.length} ${what} records; return one per record`)
  const bad = values.findIndex((v) => typeof v === 'number' && Number.isNaN(v))
  if (bad >= 0) throw new TypeError(`${CHECK}: predict returned NaN for ${what} record ${bad}; a NaN prediction cannot be compared`)
  return values
}

const sameRecord = (a: Row, b: Row) => {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  for (const k of keys) if (!Object.is(a[k], b[k])) return false
  return true
}

/**
 * Predicts every record and its perturbed copy, counts the records whose prediction changed,
 * and judges the flip rate against `tolerance`. Throws a `CheckFailure` listing the flipped
 * records when it fails.
 */
export async function checkInvariance<R extends object>(options: CheckInvarianceOptions<R>): Promise<InvarianceResult<R>> {
  const o = parseCheckOptions(CHECK, optionsSchema, options) as unknown as CheckInvarianceOptions<Row>
  const records = [...o.records]
  const perturbed = records.map((r, i) => {
    const p = o.perturb(r, i)
    if (typeof p !== 'object' || p === null) throw new TypeError(`${CHECK}: perturb returned ${shownValue(p)} for record ${i}; return a changed copy of the record`)
    return p
  })
  if (perturbed.every((p, i) => sameRecord(p, records[i]!))) {
    throw new TypeError(`${CHECK}: perturb changed no record (every perturbed record equals its original); check that it swaps the group attribute (is the column name right?)`)
  }
  const before = await predictAll(o.predict, records, 'original')
  const after = await predictAll(o.predict, perturbed, 'perturbed')
  const atol = o.atol ?? 0
  const changed = (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) > atol : !Object.is(a, b) && JSON.stringify(a) !== JSON.stringify(b))
  const flipped: FlippedRecord<Row>[] = []
  records.forEach((record, index) => {
    if (changed(before[index], after[index])) flipped.push({ index, record, perturbed: perturbed[index]!, before: before[index], after: after[index] })
  })
  const n = records.length
  const tolerance = o.tolerance ?? 0
  const confidence = o.confidence ?? 0.95
  const flipRate = flipped.length / n
  const ci = wilsonInterval(flipped.length, n, confidence)
  // Tolerance 0: the records are the property, not a sample of it. Any flip is a counterexample.
  const verdict: IntervalVerdict = tolerance === 0 ? (flipped.length > 0 ? 'fail' : 'pass') : intervalVerdict(ci, tolerance, 'max')
  const level = levelText(confidence)
  const rule = tolerance === 0 ? 'no record may flip' : `flip rate <= ${formatNumber(tolerance)}, judged by the ${level} Wilson interval`
  const show = o.show ?? 10
  const diff = (a: Row, b: Row) => Object.keys(b).filter((k) => !Object.is(a[k], b[k])).map((k) => `${k}: ${shownValue(a[k])} → ${shownValue(b[k])}`).join(', ')
  const table = formatTable([
    ['record', 'changed', 'prediction', 'after'],
    ...flipped.slice(0, show).map((f) => [String(f.index), diff(f.record, f.perturbed), shownValue(f.before), shownValue(f.after)]),
  ], { indent: '  ' })
  const report = [
    `${CHECK}: ${flipped.length} of ${n} predictions changed when only the group attribute did (flip rate ${formatNumber(flipRate)}, ${level} Wilson ${intervalText(ci)}); required: ${rule}`,
    ...(flipped.length ? [table] : []),
    ...(flipped.length > show ? [`  ... and ${flipped.length - show} more`] : []),
  ].join('\n')
  recordCheck({
    check: CHECK,
    practice: 'inclusion',
    verdict,
    ...(verdict === 'inconclusive' ? { reason: `the flip rate's ${level} interval ${intervalText(ci)} straddles the tolerance ${formatNumber(tolerance)}; perturb more records` } : {}),
    metrics: { n, flips: flipped.length, flipRate, flipRateLower: ci.lower, flipRateUpper: ci.upper, tolerance, atol, confidence, test: tolerance === 0 ? 'every record (no sampling)' : 'Wilson score interval' },
    summary: `${flipped.length} of ${n} predictions flipped (rate ${formatNumber(flipRate)} ${intervalText(ci)}); required ${rule}`,
  })
  if (verdict === 'fail') throw new CheckFailure(report)
  return { verdict, n, flips: flipped.length, flipRate, lower: ci.lower, upper: ci.upper, flipped: flipped as unknown as FlippedRecord<R>[] }
}
