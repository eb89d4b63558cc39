/**
 * Turns scheduler events into reporter calls. A reporter that throws (or cannot write its
 * file) is recorded as a run error, so the run exits non-zero with a clear message, and the
 * other reporters still get every event.
 */
import { resolve } from 'node:path'
import type { Reporter, ReporterFactory, ReporterOptions, RunResult } from '../reporter.ts'
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

/** Finishing order: other reporters, then json (so it records their failures), console last. */
function finishRank(spec: ReporterSpec | Reporter): number {
  const name = (spec as { name?: unknown }).name
  return name === 'console' ? 2 : name === 'json' ? 1 : 0
}

/**
 * Builds the reporters, json after the other file reporters and the console last, so its
 * closing line stays the very last line of output; a `:PATH` is resolved against `cwd`.
 * `registry` holds the built-ins and any module reporters loaded for this run
 * (`loadReporterRegistry`).
 */
export function createReporters(
  specs: Array<ReporterSpec | Reporter>,
  registry: Record<string, ReporterFactory>,
  base: Omit<ReporterOptions, 'outputFile'>,
  cwd = process.cwd(),
): Array<{ name: string; reporter: Reporter }> {
  return [...specs].sort((a, b) => finishRank(a) - finishRank(b)).map((spec, i) => {
    if (!('name' in spec) || typeof spec.name !== 'string') return { name: `reporters[${i}]`, reporter: spec as Reporter }
    const { name, outputFile } = spec as ReporterSpec
    const factory = registry[name]
    if (!factory) {
      throw new UsageError(`unknown reporter "${name}" — available reporters: ${Object.keys(registry).join(', ')}, or a module path such as ./my-reporter.ts`)
    }
    return { name, reporter: factory({ ...base, outputFile: outputFile === undefined ? undefined : resolve(cwd, outputFile) }) }
  })
}

export class ReporterHost {
  readonly errors: string[] = []
  private muted = false

  constructor(private readonly reporters: Array<{ name: string; reporter: Reporter }>) {}

  get names(): string[] {
    return this.reporters.map((r) => r.name)
  }

  /** Calls `hook` on every reporter (or only on `only`); awaits async hooks; never throws. */
  async emit<K extends keyof Reporter>(hook: K, ...args: Parameters<NonNullable<Reporter[K]>>): Promise<void> {
    for (const entry of this.reporters) await this.emitTo(entry.name, hook, ...args)
  }

  /** Stops every further call (watch mode quitting in the middle of a run). */
  mute(): void {
    this.muted = true
  }

  /** Calls `hook` on the reporters named `name`. */
  async emitTo<K extends keyof Reporter>(name: string, hook: K, ...args: Parameters<NonNullable<Reporter[K]>>): Promise<void> {
    for (const entry of this.reporters) {
      if (this.muted) return
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

  /**
   * Ends the run for every reporter in order. Reporter failures so far become run errors
   * before each reporter ends, so the JSON result (ended after the other file reporters)
   * records them and the console (last) lists them before its closing line. Errors of the
   * last reporters themselves stay in `errors`, for the caller to print.
   */
  async finish(run: RunResult): Promise<void> {
    for (const name of new Set(this.names)) {
      run.runErrors.push(...this.errors.splice(0))
      await this.emitTo(name, 'onRunEnd', run)
    }
  }

  /** Fire-and-forget for streaming events; failures are still recorded. */
  notify<K extends keyof Reporter>(hook: K, ...args: Parameters<NonNullable<Reporter[K]>>): void {
    void this.emit(hook, ...args)
  }
}
