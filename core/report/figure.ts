import type { CheckFigure, FigureJson } from '../protocol.ts'

/** The most a figure's JSON may weigh; a check downsamples its data to stay under it. */
export const FIGURE_MAX_BYTES = 256 * 1024

/**
 * Makes a figure for a check record (`recordCheck({ ..., figures: [figure(...)] })`): a
 * Vega-Lite spec with its data inline. Throws when the spec loads data from a URL (a report
 * must draw offline) or is over `FIGURE_MAX_BYTES` once serialised (downsample with
 * `evenlySpaced` and say so in `note`).
 */
export function figure(title: string, spec: { [key: string]: FigureJson }, note?: string): CheckFigure {
  const url = findUrl(spec)
  if (url !== undefined) {
    throw new TypeError(`figure "${title}": data must be inline (data.values), found a URL at ${url}`)
  }
  const bytes = Buffer.byteLength(JSON.stringify(spec))
  if (bytes > FIGURE_MAX_BYTES) {
    throw new RangeError(
      `figure "${title}" is ${Math.ceil(bytes / 1024)} KB, over the ${FIGURE_MAX_BYTES / 1024} KB cap: downsample its data (evenlySpaced) and say so in its note`,
    )
  }
  return note === undefined ? { title, spec } : { title, spec, note }
}

/**
 * At most `max` items of `values`, evenly spaced and including the first and last, with a
 * note saying how many were kept (undefined when nothing was dropped).
 */
export function evenlySpaced<T>(values: readonly T[], max: number, what = 'points'): { values: T[]; note?: string } {
  if (!Number.isInteger(max) || max < 2) throw new RangeError(`evenlySpaced: max must be an integer >= 2, got ${max}`)
  if (values.length <= max) return { values: [...values] }
  const kept: T[] = []
  const step = (values.length - 1) / (max - 1)
  for (let i = 0; i < max; i++) kept.push(values[Math.round(i * step)] as T)
  return {
    values: kept,
    note: `${max.toLocaleString('en-US')} of ${values.length.toLocaleString('en-US')} ${what} shown, evenly spaced`,
  }
}

function findUrl(value: FigureJson, path = 'spec'): string | undefined {
  if (Array.isArray(value)) {
    // Data rows are plain values; only objects can carry a url key. Scanning 10k rows is cheap.
    for (let i = 0; i < value.length; i++) {
      const item = value[i] as FigureJson
      if (item !== null && typeof item === 'object') {
        const found = findUrl(item, `${path}[${i}]`)
        if (found) return found
      }
    }
    return undefined
  }
  if (value === null || typeof value !== 'object') return undefined
  for (const [key, child] of Object.entries(value)) {
    if (key === 'url' && path.endsWith('data')) return `${path}.url`
    if (child !== null && typeof child === 'object') {
      const found = findUrl(child, `${path}.${key}`)
      if (found) return found
    }
  }
  return undefined
}
