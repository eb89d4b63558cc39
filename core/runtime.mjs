// The one place where Node and Deno differ for mltest. Deno runs TypeScript natively; Node 20
// needs tsx's loader hooks, registered in every thread and process that loads TypeScript
// (worker threads on Node 20 do not inherit them). Plain JavaScript, so the entry files
// (bin/mltest.mjs, the worker entries) can load it before any TypeScript can be imported.
// Types: runtime.d.mts.

/** The JavaScript runtime running this thread. */
export const runtimeName = typeof globalThis.Deno?.version?.deno === 'string' ? 'deno' : 'node'

/** Whether this thread runs on Deno. */
export const isDeno = runtimeName === 'deno'

/** "Node 20.20.2" or "Deno 2.9.6": for run headers, JSON results and error messages. */
export const runtimeLabel = isDeno ? `Deno ${globalThis.Deno.version.deno}` : `Node ${process.versions.node}`

let typeScriptLoaded = false

/**
 * Makes `.ts` files importable in this thread: tsx's ESM and CommonJS hooks on Node (CJS too,
 * so test files in packages without "type": "module" load as CommonJS TypeScript); nothing on
 * Deno, which strips types itself (tsx's CommonJS hook would break Deno's `require` of JSON).
 */
export async function loadTypeScript() {
  if (isDeno || typeScriptLoaded) return
  typeScriptLoaded = true
  const [esm, cjs] = await Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')])
  esm.register()
  cjs.register()
}
