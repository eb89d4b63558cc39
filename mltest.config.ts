// mltest's own config: `npx mltest run` at the repository root runs the examples. The
// sample projects under test/fixtures/ are for the project's own tests and fail on purpose.
import { defineConfig } from 'mltest/config'

export default defineConfig({
  include: ['examples/**/*.mltest.ts'],
})
