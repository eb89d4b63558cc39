/** Built-in reporters by name, for `--reporter NAME[:PATH]`. */
import type { ReporterFactory } from '../core/reporter.ts'
import { consoleReporter } from './console/index.ts'

export const builtinReporters: Record<string, ReporterFactory> = {
  console: consoleReporter,
}
