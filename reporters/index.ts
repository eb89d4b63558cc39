/** Built-in reporters by name, for `--reporter NAME[:PATH]`. */
import type { ReporterFactory } from 'mltest/plugin'
import { consoleReporter } from './console/index.ts'
import { githubReporter } from './github/index.ts'
import { htmlReporter } from './html/index.ts'
import { jsonReporter } from './json/index.ts'
import { junitReporter } from './junit/index.ts'
import { tapReporter } from './tap/index.ts'

export const builtinReporters: Record<string, ReporterFactory> = {
  console: consoleReporter,
  junit: junitReporter,
  json: jsonReporter,
  tap: tapReporter,
  github: githubReporter,
  html: htmlReporter,
}
