#!/usr/bin/env node
// Loads the TypeScript CLI (no build step: natively on Deno, through tsx on Node) and exits
// with its code.
import { loadTypeScript, missingPermissions } from '../core/runtime.mjs'

const permissionProblem = missingPermissions()
if (permissionProblem) {
  console.error(`mltest: ${permissionProblem}`)
  process.exit(2)
}
await loadTypeScript()
const { main } = await import('../core/node/cli.ts')
process.exitCode = await main(process.argv.slice(2))
