/**
 * How `toMatchSnapshot` keeps a plain value: as JSON, with object keys sorted (key order is
 * not part of a value, as in Jest's snapshots) and numbers in JavaScript's shortest
 * round-trip form, so a value reads back exactly. What JSON cannot hold is written as a
 * one-key object whose key starts with `$`:
 *
 *   {"$number": "NaN" | "Infinity" | "-Infinity" | "-0"}   {"$undefined": true}
 *   {"$bigint": "12345678901234567890"}                     {"$date": "2024-05-01T00:00:00.000Z"}
 *   {"$map": [[key, value], ...]}    {"$set": [value, ...]}  {"$Float32Array": [...]} (any typed array)
 *
 * and a plain object that itself has a single `$` key is wrapped as {"$object": {...}}.
 * Class instances other than these (a tensor, a model) are refused with a pointer to
 * `toMatchGolden`, which keeps numbers with a tolerance.
 */

/** A value as it is stored: plain JSON. */
export type SnapshotJson = null | boolean | number | string | SnapshotJson[] | { [key: string]: SnapshotJson }

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** `value` as JSON for the snapshot file; throws a TypeError naming the path of a value it cannot keep. */
export function encodeSnapshot(value: unknown): SnapshotJson {
  const seen = new Set<object>()
  const encode = (v: unknown, path: string): SnapshotJson => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v
    if (v === undefined) return { $undefined: true }
    if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0) ? v : { $number: Object.is(v, -0) ? '-0' : String(v) }
    if (typeof v === 'bigint') return { $bigint: String(v) }
    if (typeof v !== 'object') throw new TypeError(`cannot keep ${typeof v} at ${path} in a snapshot`)
    if (seen.has(v)) throw new TypeError(`cannot keep the circular reference at ${path} in a snapshot`)
    seen.add(v)
    try {
      if (Array.isArray(v)) return v.map((x, i) => encode(x, `${path}[${i}]`))
      if (v instanceof Date) return { $date: Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString() }
      if (v instanceof Map) return { $map: [...v].map(([k, x], i) => [encode(k, `${path}<key ${i}>`), encode(x, `${path}.get(${String(k)})`)]) }
      if (v instanceof Set) return { $set: [...v].map((x, i) => encode(x, `${path}<item ${i}>`)) }
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
        const items = Array.from(v as unknown as ArrayLike<number | bigint>, (x, i) => encode(x, `${path}[${i}]`))
        return { [`$${v.constructor.name}`]: items }
      }
      if (!isPlainObject(v)) {
        const name = v.constructor?.name ?? 'object'
        throw new TypeError(`cannot keep the ${name} at ${path} in a snapshot (plain values only: JSON, numbers of any kind, undefined, bigint, Date, Map, Set, typed arrays); for tensors use toMatchGolden`)
      }
      const keys = Object.keys(v).sort(byCodeUnit)
      const out: Record<string, SnapshotJson> = {}
      for (const key of keys) out[key] = encode((v as Record<string, unknown>)[key], `${path}.${key}`)
      return keys.length === 1 && keys[0]!.startsWith('$') ? { $object: out } : out
    } finally {
      seen.delete(v)
    }
  }
  return encode(value, 'received')
}

/** Arrays of plain numbers, strings, booleans or nulls this short are written on one line (a matrix row, a label list). */
const ONE_LINE = 100

/**
 * A stored or encoded value as the file writes it: indented JSON, keys sorted, and a short
 * array of primitives on one line, so a matrix reads as rows and a diff shows the row that
 * changed. Lines after the first start with `indent`.
 */
export function snapshotText(value: unknown, indent = ''): string {
  const write = (v: SnapshotJson, at: string): string => {
    if (v === null || typeof v !== 'object') return JSON.stringify(v)
    const inner = `${at}  `
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]'
      const flat = v.every((x) => x === null || typeof x !== 'object') ? `[${v.map((x) => JSON.stringify(x)).join(', ')}]` : undefined
      if (flat !== undefined && flat.length <= ONE_LINE) return flat
      return `[\n${v.map((x) => inner + write(x, inner)).join(',\n')}\n${at}]`
    }
    const keys = Object.keys(v).sort(byCodeUnit)
    if (keys.length === 0) return '{}'
    return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${write(v[k]!, inner)}`).join(',\n')}\n${at}}`
  }
  return write(value as SnapshotJson, indent)
}
