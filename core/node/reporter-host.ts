/**
 * Turns scheduler events into reporter calls. A reporter that throws (or cannot write its
 * file) is recorded as a run error, so the run exits non-zero with a clear message, and the
 * other reporters still get every event.
 */
import type { Reporter, ReporterFactory, ReporterOptions } from '../reporter.ts'
import { UsageError } from './usage-error.ts'

export interface ReporterSpec {
  name: string
  outputFile?: string
}

/** Parses `name` or `name:path` (a Windows drive letter is not a separator). */
export function parseReporterSpec(text: string): ReporterSpec {
  const match = /^([\w@/.-]+?)(?::(.+))?$/.exec(text)
  if (!match || match[1] === '') throw new UsageError(`invalid --reporter "${text}" — use NAME or NAME:PATH, e.g. console or junit:report.xml`)
  return { name: match[1]!, outputFile: match[2] }
}

export function createReporters(
  specs: Array<ReporterSpec | Reporter>,
  registry: Record<string, ReporterFactory>,
  base: Omit<ReporterOptions, 'outputFile'>,
): Array<{ name: string; reporter: Reporter }> {
  return specs.map((spec, i) => {
    if (!('name' in spec) || typeof spec.name !== 'string') return { name: `reporters[${i}]`, reporter: spec as Reporter }
    const { name, outputFile } = spec as ReporterSpec
    const factory = registry[name]
    if (!factory) {
      throw new UsageError(`unknown reporter "${name}" — available reporters: ${Object.keys(registry).join(', ')}`)
    }
    return { name, reporter: factory({ ...base, outputFile }) }
  })
}

export class ReporterHost {
  readonly errors: string[] = []

  constructor(private readonly reporters: Array<{ name: string; reporter: Reporter }>) {}

  get names(): string[] {
    return this.reporters.map((r) => r.name)
  }

  /** Calls `hook` on every reporter (or only on `only`); awaits async hooks; never throws. */
  async emit<K extends keyof Reporter>(hook: K, ...args: Parameters<NonNullable<Reporter[K]>>): Promise<void> {
    for (const entry of this.reporters) await this.emitTo(entry.name, hook, ...args)
  }

  /** Calls `hook` on the reporters named `name`. */
  async emitTo<K extends keyof Reporter>(name: string, hook: K, ...args: Parameters<NonNullable<Reporter[K]>>): Promise<void> {
    for (const entry of this.reporters) {
      if (entry.name !== name) continue
      const fn = entry.reporter[hook] as ((...a: unknown[]) => unknown) | undefined
      if (!fn) continue
      try {
        await fn.apply(entry.reporter, args)
      } catch (error) {
        this.errors.push(`reporter "${name}" failed in ${hook}: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
  }

  /** Fire-and-forget for streaming events; failures are still recorded. */
  notify<K extends keyof Reporter>(hook: K, ...args: Parameters<NonNullable<Reporter[K]>>): void {
    void this.emit(hook, ...args)
  }
}
