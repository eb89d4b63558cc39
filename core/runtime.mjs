// The one place where Node and Deno differ for mltest. Deno runs TypeScript natively; Node 20
// needs tsx's loader hooks, registered in every thread and process that loads TypeScript
// (worker threads on Node 20 do not inherit them). Plain JavaScript, so the entry files
// (bin/mltest.mjs, the worker entries) can load it before any TypeScript can be imported.
// Types: runtime.d.mts.

/** The JavaScript runtime running this thread. */
export const runtimeName = typeof globalThis.Deno?.version?.deno === 'string' ? 'deno' : 'node'

/** Whether this thread runs on Deno. */
export const isDeno = runtimeName === 'deno'

/** "Node v20.20.2" or "Deno 2.9.6": for run headers, JSON results and error messages. */
export const runtimeLabel = isDeno ? `Deno ${globalThis.Deno.version.deno}` : `Node ${process.version}`

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

/**
 * The signal a child process of this runtime dies of when V8 reaches its heap limit: Node
 * aborts (SIGABRT); Deno's V8 build stops on a breakpoint trap (SIGTRAP).
 */
export const heapLimitSignal = isDeno ? 'SIGTRAP' : 'SIGABRT'

/**
 * What mltest cannot do on this runtime, each as the one-line error it prints (what, why and
 * what to do instead); nothing is missing on Node.
 * @type {{ threadHeapLimit?: string }}
 */
export const runtimeLimits = isDeno
  ? {
      threadHeapLimit: `--worker-heap-limit needs --isolate process on ${runtimeLabel}: Deno's worker threads do not apply V8 heap limits (resourceLimits), so a runaway test would grow without bound — add --isolate process, or run on Node`,
    }
  : {}

// Packages known not to load on Deno, with why. better-sqlite3: Deno 2 refuses its addon at
// `new Database()` (after the import succeeds), so the check is made before the import.
/** @type {Record<string, string>} */
const UNLOADABLE_ON_DENO = {
  'better-sqlite3': 'it is a native addon built on the legacy V8 API (nan), and Deno loads only Node-API addons',
}

/**
 * The one-line error for an optional package this runtime cannot load (undefined: it can),
 * naming the package, the runtime, why, and what to do.
 * @param {string} specifier
 * @param {string} feature what needs the package, e.g. "mltest bench (the benchmark history)"
 */
export function unloadablePackage(specifier, feature) {
  const why = isDeno ? UNLOADABLE_ON_DENO[specifier] : undefined
  return why && `${specifier} cannot load on ${runtimeLabel}: ${why} — run ${feature} on Node (npx mltest ...)`
}

/**
 * The fix to suggest when an installed package fails to load: rebuilding it for this
 * platform on Node; on Deno, the permission Deno asked for (onnxruntime-node needs
 * --allow-ffi), or Node for a native addon Deno refuses.
 * @param {string} specifier
 * @param {unknown} error
 */
export function loadFailureFix(specifier, error) {
  const message = String(/** @type {Error} */ (error)?.message)
  const permission = /Requires (\w+) access/.exec(message)?.[1]
  if (isDeno && permission) return `grant Deno that permission: deno run --allow-${permission} (or -A) ...`
  if (isDeno && /native addon/i.test(message)) return `Deno cannot load this native addon; run this part of the suite on Node`
  return `reinstall it for this platform: npm rebuild ${specifier}`
}

/** Deno permissions every mltest command needs: files, environment, system facts (CPUs, memory). */
const BASE_PERMISSIONS = ['read', 'write', 'env', 'sys']

/** @param {string} name */
function granted(name) {
  return globalThis.Deno.permissions.querySync({ name }).state === 'granted'
}

/**
 * On Deno, the one-line error for missing permissions (undefined when all are granted, and
 * always on Node): the base ones every command needs, plus `extra` (e.g. `run` for
 * --isolate process, which starts child processes), each with what needs it.
 * @param {Record<string, string>} [extra] permission → what needs it
 */
export function missingPermissions(extra = {}) {
  if (!isDeno) return undefined
  const base = BASE_PERMISSIONS.filter((name) => !granted(name))
  const more = Object.entries(extra).filter(([name]) => !granted(name))
  if (base.length === 0 && more.length === 0) return undefined
  const flags = [...base, ...more.map(([name]) => name)].map((name) => `--allow-${name}`).join(' ')
  const reasons = [...(base.length ? ['every mltest command needs --allow-read --allow-write --allow-env --allow-sys'] : []), ...more.map(([name, what]) => `${what} needs --allow-${name}`)].join('; ')
  return `${runtimeLabel} was not given ${flags} (${reasons}) — run deno run -A --node-modules-dir=manual ..., or add ${flags} (docs/guide/deno.md lists each plugin's permissions)`
}
