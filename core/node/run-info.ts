/**
 * What a result file records about how and where a run was made, so a report read later
 * (or merged from several CI machines) still says which seed, settings, Node and CPU
 * produced the numbers in it.
 */
import { readFileSync } from 'node:fs'
import { arch, availableParallelism, cpus, hostname, platform, totalmem } from 'node:os'
import type { Reporter, RunConfigSummary, RunEnvironment } from '../reporter.ts'
import type { ReporterSpec } from './reporter-host.ts'
import { CONFIG_OPTIONS } from '../options/config-options.ts'
import { runtimeLabel } from '../runtime.mjs'
import type { ResolvedConfig } from './resolve-config.ts'

export const MLTEST_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version

export function runEnvironment(): RunEnvironment {
  return {
    mltestVersion: MLTEST_VERSION,
    node: process.version,
    runtime: runtimeLabel,
    platform: platform(),
    arch: arch(),
    cpuModel: cpus()[0]?.model.trim() || 'unknown',
    cpuCount: availableParallelism(),
    totalMemoryMb: Math.round(totalmem() / 2 ** 20),
    hostname: hostname() || 'localhost',
  }
}

function reporterLabel(spec: ReporterSpec | Reporter, index: number): string {
  if ('name' in spec && typeof spec.name === 'string') {
    const { name, outputFile } = spec as ReporterSpec
    return outputFile ? `${name}:${outputFile}` : name
  }
  return `reporters[${index}]`
}

/**
 * The run summary every result carries: the table options marked `summary`, under their
 * resolved names, plus what the table does not hold (config file, reporters, plugins).
 */
export function configSummary(config: ResolvedConfig, workers: number): RunConfigSummary {
  const fromTable: Record<string, unknown> = {}
  for (const [key, option] of Object.entries(CONFIG_OPTIONS) as Array<[string, { summary?: boolean; resolvedAs?: string }]>) {
    if (!option.summary) continue
    const name = option.resolvedAs ?? key
    fromTable[name] = (config as unknown as Record<string, unknown>)[name] ?? null
  }
  return {
    ...(fromTable as Omit<RunConfigSummary, 'configFile' | 'workers' | 'reporters' | 'plugins' | 'pluginOptions'>),
    configFile: config.configFile ?? null,
    workers,
    reporters: config.reporters.map(reporterLabel),
    plugins: config.plugins.map((p) => p.name),
    pluginOptions: config.pluginOptions,
    // Only when asked for, so results of runs without them read as before.
    ...(config.readiness ? { readiness: true as const } : {}),
    ...(config.minReadiness !== undefined ? { minReadiness: config.minReadiness } : {}),
  }
}
