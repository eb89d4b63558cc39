/**
 * Heavy optional peer dependencies (tfjs, onnxruntime-node, onnx-proto, fast-check's
 * companions) load on first use, never when a suite merely imports a plugin, so a plain suite
 * starts as fast as a plain runner. A missing package becomes one line saying what to install
 * and what needs it, instead of a resolver stack trace.
 */

import { loadFailureFix, unloadablePackage } from './runtime.mjs'

/**
 * Whether an import failed because `specifier` itself is not installed. Node sets a code,
 * but an error passed on by a loader hook (tsx, on a cold cache) may carry only the message.
 */
function isMissing(error: unknown, specifier: string): boolean {
  const e = error as { code?: string; message?: string }
  const message = String(e?.message)
  if (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') return message.includes(specifier)
  return message.includes(`Cannot find package '${specifier}'`) || message.includes(`Cannot find module '${specifier}'`)
}

export interface ImportOptionalOptions {
  /** What needs the package, e.g. `mltest/onnx` or `checkLabelDistribution`. */
  feature?: string
  /** How to install it (default `npm install --save-dev <package>`). */
  installHint?: string
  /** CommonJS packages whose exports arrive on `default` only are unwrapped when this key is missing on the namespace. */
  unwrapKey?: string
}

/**
 * Imports `specifier`, an optional dependency; `options` (or just the feature's name) say what
 * needs it and how to install it, for the one-line error when it is missing.
 */
export async function importOptional<T>(specifier: string, options: string | ImportOptionalOptions = {}, unwrapKeyArg?: string): Promise<T> {
  const { feature = 'this check', installHint = `npm install --save-dev ${specifier}`, unwrapKey = unwrapKeyArg } = typeof options === 'string' ? { feature: options } : options
  const unloadable = unloadablePackage(specifier, feature)
  if (unloadable) throw new Error(unloadable)
  let mod: Record<string, unknown>
  try {
    mod = (await import(specifier)) as Record<string, unknown>
  } catch (error) {
    if (isMissing(error, specifier)) {
      throw new Error(`install ${specifier} to use ${feature}: ${installHint}`, { cause: error })
    }
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error)
    throw new Error(`${specifier} is installed but failed to load (${detail}) — ${loadFailureFix(specifier, error)}`, { cause: error })
  }
  if (unwrapKey && !(unwrapKey in mod) && mod.default && typeof mod.default === 'object') return mod.default as T
  return mod as T
}

interface TfjsLike {
  getBackend(): string
  backend(): unknown
  engine?(): unknown
}

/** The parts of tfjs's engine that hold the CPU backend: its instance and its factory. */
interface TfEngineLike {
  registry: Record<string, unknown>
  registryFactory: Record<string, { factory: () => unknown } | undefined>
}

const SILENCED = Symbol.for('mltest.silencedTfjsCpuBackend')

function quiet(backend: unknown): unknown {
  if (typeof backend === 'object' && backend !== null && 'firstUse' in backend) (backend as { firstUse: boolean }).firstUse = false
  return backend
}

/**
 * tfjs's CPU backend prints an "install tfjs-node" banner on its first tensor in Node. It
 * would land in the captured output of whichever test first touches tfjs, so checks switch it
 * off once tfjs is loaded. Without `tf`, this silences whatever tfjs this thread has already
 * loaded (tfjs keeps its engine on `globalThis`), without loading tfjs or starting a backend:
 * the CPU backend, if it exists, and the one its factory makes later (after a reset, or on
 * first use), so a plugin can call it before every test at no cost.
 */
export function silenceTfjsCpuBanner(tf?: TfjsLike): void {
  const engine = (tf?.engine?.() ?? (globalThis as { _tfengine?: unknown })._tfengine) as Partial<TfEngineLike> | undefined
  if (!engine?.registry || !engine.registryFactory) {
    if (tf && tf.getBackend() === 'cpu') quiet(tf.backend())
    return
  }
  quiet(engine.registry.cpu)
  const entry = engine.registryFactory.cpu
  if (!entry || (entry.factory as { [SILENCED]?: boolean })[SILENCED]) return
  const make = entry.factory
  entry.factory = Object.assign(
    () => {
      const backend = make()
      return typeof (backend as Promise<unknown> | undefined)?.then === 'function' ? (backend as Promise<unknown>).then(quiet) : quiet(backend)
    },
    { [SILENCED]: true },
  )
}
