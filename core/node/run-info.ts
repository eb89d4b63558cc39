/**
 * What a result file records about how and where a run was made, so a report read later
 * (or merged from several CI machines) still says which seed, settings, Node and CPU
 * produced the numbers in it.
 */
import { readFileSync } from 'node:fs'
import { arch, availableParallelism, cpus, hostname, platform, totalmem } from 'node:os'
import type { Reporter, RunConfigSummary, RunEnvironment } from '../reporter.ts'
import type { ReporterSpec } from './reporter-host.ts'
import type { ResolvedConfig } from './resolve-config.ts'

export const MLTEST_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version

export function runEnvironment(): RunEnvironment {
  return {
    mltestVersion: MLTEST_VERSION,
    node: process.version,
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

export function configSummary(config: ResolvedConfig, workers: number): RunConfigSummary {
  return {
    configFile: config.configFile ?? null,
    include: config.include,
    exclude: config.exclude,
    workers,
    isolate: config.isolate,
    timeoutMs: config.timeoutMs,
    retries: config.retries,
    bail: config.bail,
    shuffle: config.shuffle,
    grep: config.grep ?? null,
    tagExpr: config.tagExpr ?? null,
    inconclusive: config.inconclusive,
    reporters: config.reporters.map(reporterLabel),
    plugins: config.plugins.map((p) => p.name),
    pluginOptions: config.pluginOptions,
  }
}
