/**
 * The `bench` plugin's options, declared once: the config key `pluginOptions.bench`, the flags
 * of `mltest bench` (`--history`, `--min-effect`, ...: the option names in kebab case) and, as
 * core derives for every plugin, `--bench-<option>` on `mltest run` / `watch`, where nothing
 * reads them.
 */
import { UsageError, z } from 'mltest/plugin'

/** A comma-separated list given as flag text. */
function listText(value: unknown): unknown {
  return typeof value === 'string' ? value.split(',').map((v) => v.trim()).filter(Boolean) : value
}

/** The metrics a benchmark is judged on, as the gate names them. */
export const GATE_METRICS = ['p50', 'p99', 'throughput', 'rss'] as const
export type GateMetric = (typeof GATE_METRICS)[number]

/** A JSON object given as flag text. */
function jsonText(value: unknown): unknown {
  if (typeof value !== 'string') return value
  try {
    return JSON.parse(value)
  } catch {
    return value
  }
}

export const benchOptions = z.object({
  history: z.string().min(1).default('.mltest/history.db').describe('benchmark history database (SQLite); a config value is relative to the project root, a flag to the current folder'),
  baselineRuns: z.number().int().min(1).default(5).describe('compare with up to the last K runs of each benchmark with the same fingerprint and branch'),
  minEffect: z.number().gt(0).default(0.05).describe('smallest relative change that can be called improved or regressed (0.05 = 5%)'),
  minEffects: z
    .preprocess(jsonText, z.record(z.string(), z.number().gt(0)))
    .default({})
    .describe('per-benchmark min effect by benchmark name or identity, as JSON, e.g. {"tokenize": 0.1}'),
  alpha: z.number().gt(0).lt(0.5).default(0.01).describe('significance level of the tests; intervals are at confidence 1 - alpha'),
  floorUs: z.number().min(0).default(2).describe('a latency change below this many microseconds never counts'),
  gate: z
    .preprocess(listText, z.array(z.enum(GATE_METRICS)).min(1))
    .default(['p50', 'rss'])
    .describe('metrics whose regression fails the run, comma-separated: p50, p99, throughput, rss (the others are judged and shown)'),
})

export type BenchOptions = z.output<typeof benchOptions>

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

/** The `mltest bench` flags derived from the schema: `--min-effect <value>` for `minEffect`. */
export function optionFlags(): Array<{ flags: string; description: string; key: string }> {
  return Object.entries(benchOptions.shape).map(([key, field]) => {
    const fallback = (field as z.ZodType).safeParse(undefined)
    const data = fallback.data as unknown
    const shown = fallback.success ? ` (default: ${Array.isArray(data) ? data.join(',') : typeof data === 'object' ? JSON.stringify(data) : String(data)})` : ''
    return { key, flags: `--${kebab(key)} <value>`, description: `${(field as z.ZodType).description ?? ''}${shown}` }
  })
}

/** The config's options overlaid with the flags given to `mltest bench`, validated (bad values are usage errors naming the flag). */
export function resolveBenchOptions(configOptions: Record<string, unknown>, flags: Record<string, unknown>): BenchOptions & { historyFromFlag: boolean } {
  const given: Record<string, unknown> = { ...configOptions }
  for (const [key, field] of Object.entries(benchOptions.shape)) {
    const text = flags[key]
    if (text === undefined) continue
    const numeric = typeof (field as z.ZodType).safeParse(undefined).data === 'number'
    given[key] = numeric ? (String(text).trim() === '' ? Number.NaN : Number(text)) : text
  }
  const parsed = benchOptions.safeParse(given)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const key = String(issue.path[0])
    const where = flags[key] !== undefined ? `--${kebab(key)}` : `pluginOptions.bench.${key}`
    const got = flags[key] !== undefined ? ` (got "${String(flags[key])}")` : ''
    throw new UsageError(`${where}: ${issue.message}${got}`)
  }
  return { ...parsed.data, historyFromFlag: flags.history !== undefined }
}
