#!/usr/bin/env node
// Loads the TypeScript CLI through tsx (no build step) and exits with its code.
import { register as registerCjs } from 'tsx/cjs/api'
import { register } from 'tsx/esm/api'

// Both hooks: test files in packages without "type": "module" load as CommonJS TypeScript.
register()
registerCjs()
const { main } = await import('../core/node/cli.ts')
process.exitCode = await main(process.argv.slice(2))
