/**
 * `expect(output).toMatchGolden(name, tolerance?)`: pins a model output or a set of metrics
 * between versions. The first run writes the value to `__golden__/<test file>.golden.json`
 * beside the test file; later runs compare with it element by element, with the numeric
 * core's `isClose` (numpy's allclose defaults: rtol 1e-5, atol 1e-8, and NaN equal to NaN).
 * A failure says how many elements moved, the worst one (index, expected, received,
 * difference, allowance) and the tolerance. `mltest run -u` rewrites goldens that do not
 * match; on CI a missing golden fails instead of being written (./golden-session.ts).
 */
import { dirname } from 'node:path'
import type { MatcherFunction } from 'expect'
import { z } from 'zod'
import { compareArrays } from '../numeric/compare-arrays.ts'
import { absDiff } from '../numeric/is-close.ts'
import { describeTolerance, type Tolerance } from '../numeric/tolerance.ts'
import { pairPrecision, ulpDistance } from '../numeric/ulp-distance.ts'
import { parseCheckOptions } from '../options/check-options.ts'
import { formatNumber } from '../report/format-number.ts'
import { goldenAccess } from './golden-session.ts'
import { goldenEntryOf, goldenValueOf, numberText, readGoldenValue, type GoldenValue } from './golden-values.ts'
import { formatIndex } from './numeric.ts'

/**
 * How close a value must stay to its golden: `'exact'`, or any of `rtol` (default 1e-5) and
 * `atol` (default 1e-8) — numpy.allclose's defaults, as `toAllClose` — and `ulps`, an
 * allowance in units in the last place that is accepted as an alternative. `equalNaN`
 * (default true): a NaN the golden recorded still matches a NaN.
 */
export type GoldenOptions = 'exact' | { rtol?: number; atol?: number; ulps?: number; equalNaN?: boolean }

export const GOLDEN_DEFAULT_TOLERANCE = { rtol: 1e-5, atol: 1e-8 } as const

const optionsSchema = z.object({
  rtol: z.number().min(0).optional(),
  atol: z.number().min(0).optional(),
  ulps: z.number().int().min(0).optional(),
  equalNaN: z.boolean().optional(),
})

/** The tolerance and NaN rule `options` stand for, defaults filled in. */
export function goldenTolerance(options: GoldenOptions | undefined): { tolerance: Tolerance; equalNaN: boolean } {
  if (options === 'exact') return { tolerance: 'exact', equalNaN: true }
  const { rtol, atol, ulps, equalNaN = true } = parseCheckOptions('toMatchGolden', optionsSchema, options ?? {})
  const tolerance = { rtol: rtol ?? GOLDEN_DEFAULT_TOLERANCE.rtol, atol: atol ?? GOLDEN_DEFAULT_TOLERANCE.atol, ...(ulps === undefined ? {} : { ulps }) }
  return { tolerance, equalNaN }
}

/** A value exactly, as the golden file writes it (NaN and the infinities without quotes). */
const exactText = (x: number, dtype: string) => (Number.isFinite(x) ? numberText(x, dtype) : String(x))
const formatShape = (shape: readonly number[]) => `[${shape.join(', ')}]`

function describeKind(value: GoldenValue): string {
  return value.kind === 'tensor' ? `a ${value.dtype} tensor of shape ${formatShape(value.shape)}` : `a record of ${value.keys.length} numbers`
}

/**
 * Why `received` does not match `golden` under the tolerance, as report lines, or undefined
 * when it matches. A change of kind, dtype, shape or record keys is reported before any
 * element is compared.
 */
export function compareWithGolden(received: GoldenValue, golden: GoldenValue, tolerance: Tolerance, equalNaN: boolean): string | undefined {
  if (received.kind !== golden.kind) return `The golden is ${describeKind(golden)}; received ${describeKind(received)}`
  if (received.dtype !== golden.dtype) return `dtype changed: the golden is ${golden.dtype}, received ${received.dtype}`
  if (received.kind === 'tensor' && golden.kind === 'tensor' && formatShape(received.shape) !== formatShape(golden.shape)) {
    return `Shape changed: the golden has shape ${formatShape(golden.shape)}, received ${formatShape(received.shape)}`
  }
  if (received.kind === 'record' && golden.kind === 'record' && received.keys.join('\0') !== golden.keys.join('\0')) {
    const missing = golden.keys.filter((k) => !received.keys.includes(k))
    const added = received.keys.filter((k) => !golden.keys.includes(k))
    const parts = [missing.length ? `missing ${missing.join(', ')}` : '', added.length ? `new ${added.join(', ')}` : ''].filter(Boolean)
    return `Keys changed: ${parts.join('; ')}`
  }
  const { mismatches, worst, maxAbsDiff, total } = compareArrays(received.values, golden.values, tolerance, { equalNaN })
  if (mismatches === 0) return undefined
  const a = received.values[worst]!
  const e = golden.values[worst]!
  const at = received.kind === 'tensor' ? formatIndex(worst, received.shape) : JSON.stringify(received.keys[worst])
  const precision = pairPrecision(a, e)
  const ulps = ulpDistance(a, e, precision)
  // A ULP count says "rounding noise" when it is small; in the billions it says nothing a difference does not.
  const ulpText = ulps <= 1e6 || (tolerance !== 'exact' && tolerance.ulps !== undefined) ? ` (${formatNumber(ulps)} ${precision} ulps)` : ''
  const settings = `${describeTolerance(tolerance)}${equalNaN ? ', NaN equals NaN' : ''}`
  const allowed = tolerance === 'exact' ? '0 (exact)' : formatNumber((tolerance.atol ?? 0) + (tolerance.rtol ?? 0) * Math.abs(e))
  const percent = Number(((100 * mismatches) / total).toPrecision(3))
  return [
    `${mismatches} of ${total} elements (${percent}%) moved beyond the tolerance (${settings})`,
    `Worst at ${at}: expected ${exactText(e, golden.dtype)}, received ${exactText(a, received.dtype)}, ` +
      `difference ${formatNumber(absDiff(a, e))}${ulpText}, allowed ${allowed}`,
    `Max abs diff: ${formatNumber(maxAbsDiff)}`,
  ].join('\n')
}

const toMatchGolden: MatcherFunction<[name: string, options?: GoldenOptions]> = function (received, name, options) {
  const head = `expect(received).toMatchGolden(${typeof name === 'string' ? JSON.stringify(name) : 'name'})`
  if (this.isNot) throw new Error(`${head}\n\ntoMatchGolden cannot be negated with .not`)
  if (typeof name !== 'string' || name === '') throw new Error(`${head}\n\nThe first argument names the golden: a non-empty string, unique within the test`)
  const { tolerance, equalNaN } = goldenTolerance(options)
  let value: GoldenValue
  try {
    value = readGoldenValue(received)
  } catch (error) {
    throw new Error(`${head}\n\nInvalid received value: ${(error as Error).message}`)
  }
  const access = goldenAccess('golden', 'toMatchGolden')
  const where = `golden "${name}" of test "${access.testName}" in ${access.shownPath}`
  if (!access.file.check(access.testKey, name)) {
    throw new Error(`${head}\n\nThis test already checked a golden named "${name}"; give each golden of a test its own name`)
  }
  const stored = access.file.get(access.testKey, name)
  if (stored === undefined) {
    if (access.ci && !access.update) {
      return {
        pass: false,
        message: () =>
          `${head}\n\nNo ${where}, and on CI (CI=${process.env.CI ?? 'true'}) a missing golden is never written.\n` +
          `Create it locally with \`mltest run -u\` (a plain \`mltest run\` writes missing goldens too) and commit ${dirname(access.shownPath)}/.`,
      }
    }
    access.file.set(access.testKey, name, goldenEntryOf(value))
    return { pass: true, message: () => `${head}\n\nWrote the new ${where}` }
  }
  const golden = goldenValueOf(stored, `${access.shownPath}, test "${access.testName}", golden "${name}"`)
  const report = compareWithGolden(value, golden, tolerance, equalNaN)
  if (report === undefined) return { pass: true, message: () => `${head}\n\nMatches the ${where}` }
  if (access.update) {
    access.file.set(access.testKey, name, goldenEntryOf(value))
    return { pass: true, message: () => `${head}\n\nUpdated the ${where}` }
  }
  return {
    pass: false,
    message: () => `${head}\n\n${report}\nGolden: ${where}\nIf the change is intended, update the golden with \`mltest run -u\`.`,
  }
}

/** Registered with `expect.extend` in `./index.ts`. */
export const goldenMatchers = { toMatchGolden } satisfies Record<string, MatcherFunction<any>>
