/**
 * Lazy access to @tensorflow/tfjs. Importing tfjs takes a second or more, so it loads only
 * when a check needs it (`arb.tfTensor`, `gradientsFinite`), never when a plain suite or
 * `mltest/stability` is imported.
 */
import { importOptional, silenceTfjsCpuBanner } from 'mltest/plugin'

type Tf = typeof import('@tensorflow/tfjs')

let loading: Promise<Tf> | undefined
let loaded: Tf | undefined

/**
 * Imports tfjs once per worker and picks the CPU backend unless the user already chose one
 * (tfjs-node or wasm keep theirs). The CPU backend's "install tfjs-node" banner is switched
 * off: it would land in every test's captured output.
 */
export function loadTfjs(): Promise<Tf> {
  loading ??= (async () => {
    const tf = await importOptional<Tf>('@tensorflow/tfjs', 'arb.tfTensor and gradientsFinite from mltest/stability')
    if (!tf.engine().backendName) await tf.setBackend('cpu')
    await tf.ready()
    silenceTfjsCpuBanner(tf)
    loaded = tf
    return tf
  })()
  return loading
}

/** Starts loading without waiting; a failure surfaces where `loadTfjs()` is awaited. */
export function preloadTfjs(): void {
  loadTfjs().catch(() => undefined)
}

/** Whether some code asked for tfjs; `checkStability` then waits for it before generating. */
export function tfjsRequested(): boolean {
  return loading !== undefined
}

/** The loaded module, for synchronous code (generators) that runs after `loadTfjs()` resolved. */
export function loadedTfjs(what: string): Tf {
  if (!loaded) throw new Error(`${what} needs tfjs loaded first: use it inside checkStability, or await loadTfjs() before sampling`)
  return loaded
}

interface TfEngineScopes {
  startScope(name?: string): void
  endScope(result?: unknown): void
}

/** tfjs tensors, recognised without importing tfjs. */
function isTfTensor(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'dataId' in value && typeof (value as { dispose?: unknown }).dispose === 'function'
}

/** The tfjs tensors in a value, its array items, or its record fields (one level down). */
function tensorsIn(values: unknown[]): unknown[] {
  const found: unknown[] = []
  const visit = (v: unknown, depth: number) => {
    if (isTfTensor(v)) found.push(v)
    else if (depth > 0 && Array.isArray(v)) v.forEach((item) => visit(item, depth - 1))
    else if (depth > 0 && typeof v === 'object' && v !== null && !ArrayBuffer.isView(v)) Object.values(v).forEach((item) => visit(item, depth - 1))
  }
  values.forEach((v) => visit(v, 2))
  return found
}

/**
 * Opens a tfjs tensor scope when tfjs is present in this worker (whoever imported it), so the
 * tensors of hundreds of generated runs are freed when the check ends. The closer keeps the
 * tensors in the values it is given (a failure's counterexample and output), so the caller
 * can still read them.
 */
export function openTfScope(): (keep?: unknown[]) => void {
  const engine = (globalThis as { _tfengine?: Partial<TfEngineScopes> })._tfengine
  if (typeof engine?.startScope !== 'function' || typeof engine.endScope !== 'function') return () => undefined
  engine.startScope('checkStability')
  return (keep = []) => engine.endScope!(tensorsIn(keep))
}
