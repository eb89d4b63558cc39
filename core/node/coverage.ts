/**
 * `mltest run --coverage`: the main thread's side. It gives the workers a folder to write
 * their V8 coverage to (`core/worker/coverage.ts` takes it after every file, in threads and
 * in child processes alike), and when the run ends merges it with monocart-coverage-reports,
 * which maps it back to the TypeScript through tsx's inline source maps and writes the
 * reports (text-summary to the console; lcov, cobertura, json-summary, html in
 * `coverage.dir`). Thresholds are checked on the merged summary: one line per breach.
 *
 * Loaded only when coverage is on, and it loads monocart only when the run ends.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve, sep } from 'node:path'
import picomatch from 'picomatch'
import type { CoverageReportOptions } from 'monocart-coverage-reports'
import { importOptional } from '../optional-dependency.ts'
import { isDeno, runtimeLabel } from '../runtime.mjs'
import type { ResolvedConfig } from './resolve-config.ts'
import { UsageError } from './usage-error.ts'

type Settings = ResolvedConfig['coverage']
type Metric = keyof Settings['thresholds']

const METRICS: Metric[] = ['lines', 'branches', 'functions', 'statements']
/** The environment variable the workers read (core/worker/coverage.ts). */
const DIR_VARIABLE = 'MLTEST_COVERAGE_DIR'
const MLTEST_ROOT = resolve(new URL('../../', import.meta.url).pathname)
/** Where each report format writes, for the closing line. */
const REPORT_FILES: Record<string, string> = { lcov: 'lcov.info', cobertura: 'cobertura-coverage.xml', 'json-summary': 'coverage-summary.json', html: 'index.html', json: 'coverage-final.json' }
const ISTANBUL_NAMES: Record<string, string> = { lcov: 'lcovonly' }

export interface CoverageRun {
  /** Merges what the workers wrote, writes the reports; resolves to one message per breached threshold. */
  report(): Promise<string[]>
}

/**
 * Which source files count, relative to the root: `include` (all when empty) minus
 * `exclude`, and never node_modules, mltest's own files, the config file or the test files
 * (`config.include`).
 */
export function coverageFilter(config: ResolvedConfig): (sourcePath: string) => boolean {
  const { include, exclude } = config.coverage
  const isIncluded = include.length > 0 ? picomatch(include, { dot: true }) : () => true
  const isExcluded = picomatch(['**/node_modules/**', ...config.include, ...exclude], { dot: true })
  // The workers load the config file too (for its plugins); it is no code under test.
  const configFile = config.configFile && resolve(config.configFile)
  const own = ['core', 'plugins', 'reporters', 'bin'].map((folder) => join(MLTEST_ROOT, folder) + sep)
  return (sourcePath) => {
    const absolute = resolve(config.rootDir, sourcePath)
    if (absolute === configFile || own.some((folder) => absolute.startsWith(folder))) return false
    const path = relative(config.rootDir, absolute).split(sep).join('/')
    return isIncluded(path) && !isExcluded(path)
  }
}

type Monocart = typeof import('monocart-coverage-reports')

/**
 * Starts a coverage run: the workers created after this call collect. A usage error on Deno,
 * and when monocart-coverage-reports is missing: both are known before any test runs.
 */
export async function startCoverage(config: ResolvedConfig): Promise<CoverageRun> {
  if (isDeno) {
    throw new UsageError(`--coverage is not supported on ${runtimeLabel}: mltest collects coverage through node:inspector sessions in its workers, which Deno does not provide — run the coverage job on Node (npx mltest run --coverage)`)
  }
  let monocart: Monocart
  try {
    monocart = await importOptional<Monocart>('monocart-coverage-reports', { feature: 'mltest run --coverage', unwrapKey: 'CoverageReport' })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const settings = config.coverage
  const rawDir = mkdtempSync(join(tmpdir(), 'mltest-coverage-'))
  process.env[DIR_VARIABLE] = rawDir
  return {
    async report() {
      delete process.env[DIR_VARIABLE]
      try {
        const summary = await writeReports(monocart, config, rawDir)
        return summary ? breaches(settings.thresholds, summary) : []
      } finally {
        rmSync(rawDir, { recursive: true, force: true })
      }
    },
  }
}

/** istanbul's json-summary totals. */
type CoverageSummary = Record<Metric, { total: number; covered: number; pct: number | string }>

async function writeReports({ CoverageReport }: Monocart, config: ResolvedConfig, rawDir: string): Promise<CoverageSummary | undefined> {
  const settings = config.coverage
  const outputDir = resolve(config.rootDir, settings.dir)
  const options: CoverageReportOptions = {
    name: 'mltest coverage',
    outputDir,
    baseDir: config.rootDir,
    // json-summary always: thresholds are judged on istanbul's figures, the ones every report shows
    // (monocart's own summary counts V8 lines, e.g. closing braces, differently).
    reports: [...new Set([...settings.reporters, 'json-summary'])].map((name) => ISTANBUL_NAMES[name] ?? name),
    sourceFilter: coverageFilter(config),
    logging: 'error',
    // Not monocart's clean, which empties the whole folder first (a dir of "." would lose the project).
    clean: false,
    cleanCache: true,
  }
  const report = new CoverageReport(options)
  // Workers write each take to a temp name and rename it: a *.json here is whole (a worker killed mid-write leaves only a .tmp).
  for (const file of readdirSync(rawDir).filter((name) => name.endsWith('.json'))) {
    const { result } = JSON.parse(readFileSync(join(rawDir, file), 'utf8')) as { result: unknown[] }
    await report.add(result)
  }
  await report.generate()
  const summaryFile = join(outputDir, REPORT_FILES['json-summary']!)
  const summary = (JSON.parse(readFileSync(summaryFile, 'utf8')) as { total: CoverageSummary }).total
  if (!settings.reporters.includes('json-summary')) rmSync(summaryFile)
  const written = settings.reporters.filter((name) => REPORT_FILES[name]).map((name) => join(settings.dir, REPORT_FILES[name]!))
  // On stderr with the run's other notes: stdout's last "mltest: " line stays the run's summary.
  if (written.length > 0) process.stderr.write(`mltest: coverage reports: ${written.join(', ')}\n`)
  return summary
}

/** One line per metric below its threshold, e.g. `coverage: lines 62.5% is below the threshold 90% (5 of 8 covered)`. */
export function breaches(thresholds: Settings['thresholds'], summary: CoverageSummary): string[] {
  const lines: string[] = []
  for (const metric of METRICS) {
    const threshold = thresholds[metric]
    if (threshold === undefined) continue
    const { covered, total, pct } = summary[metric]
    // istanbul writes "Unknown" when there is nothing to cover: nothing is uncovered.
    const percent = typeof pct === 'number' ? pct : 100
    if (percent < threshold) lines.push(`coverage: ${metric} ${percent}% is below the threshold ${threshold}% (${covered} of ${total} covered) — add tests for the uncovered code or lower coverage.thresholds.${metric}`)
  }
  return lines
}
