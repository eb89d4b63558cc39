#!/usr/bin/env node
// Loads the TypeScript CLI through tsx (no build step) and exits with its code.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../core/node/cli.ts')
process.exitCode = await main(process.argv.slice(2))
