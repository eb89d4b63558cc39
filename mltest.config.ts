// mltest's own config: `npx mltest run` at the repository root runs the examples. The
// sample projects under test/fixtures/ are for the project's own tests and fail on purpose.
import { defineConfig } from 'mltest/config'
import { labelsPlugin } from './examples/custom-plugin/plugin.ts'

export default defineConfig({
  include: ['examples/**/*.mltest.ts'],
  // The third-party plugin example (examples/custom-plugin): a check, options, a worker
  // hook, a run-result section and a command, plus a reporter loaded by path.
  plugins: [labelsPlugin()],
  reporters: ['console', './examples/custom-plugin/label-report.ts:.mltest/label-checks.md'],
})
