/**
 * Lazy access to TensorFlow.js. tfjs is heavy, so nothing here loads until a check needs it.
 * `@tensorflow/tfjs-node` (backend 'tensorflow') is detected by resolving it, never required:
 * it is the default backend only when the user has installed it.
 */
import { createRequire } from 'node:module'
import { importOptional, silenceTfjsCpuBanner } from 'mltest/plugin'

export type Tf = typeof import('@tensorflow/tfjs')

/** Backends this plugin knows how to load; any other name must already be registered. */
export const KNOWN_BACKENDS = ['cpu', 'wasm', 'tensorflow'] as const

const require = createRequire(import.meta.url)

function resolvable(specifier: string): boolean {
  try {
    require.resolve(specifier)
    return true
  } catch {
    return false
  }
}

/** True when `@tensorflow/tfjs-node` is installed (it is not loaded by this call). */
export function tfjsNodeInstalled(): boolean {
  return resolvable('@tensorflow/tfjs-node')
}

/** 'tensorflow' when tfjs-node is installed, else 'cpu'. */
export function defaultBackend(): string {
  return tfjsNodeInstalled() ? 'tensorflow' : 'cpu'
}

function importOrExplain<T>(specifier: string): Promise<T> {
  return importOptional<T>(specifier, 'mltest/reproducibility')
}

/** Loads `@tensorflow/tfjs`, or throws "install @tensorflow/tfjs to use mltest/reproducibility". */
export async function loadTfjs(): Promise<Tf> {
  return importOrExplain<Tf>('@tensorflow/tfjs')
}

/**
 * Makes `backend` the active tfjs backend, loading its package first ('wasm' needs
 * `@tensorflow/tfjs-backend-wasm`, 'tensorflow' needs `@tensorflow/tfjs-node`). Returns the
 * backend tfjs reports afterwards, which is what goes into results.
 */
export async function useBackend(tf: Tf, backend: string): Promise<string> {
  if (backend === 'wasm' && !tf.findBackendFactory('wasm')) {
    await importOrExplain('@tensorflow/tfjs-backend-wasm')
  }
  if (backend === 'tensorflow' && !tf.findBackendFactory('tensorflow')) {
    await importOrExplain('@tensorflow/tfjs-node')
  }
  if (!tf.findBackendFactory(backend)) {
    throw new Error(`unknown tfjs backend "${backend}" — use one of ${KNOWN_BACKENDS.join(', ')} or register it before the check`)
  }
  if (tf.getBackend() !== backend) {
    const ok = await tf.setBackend(backend)
    if (!ok) throw new Error(`tfjs could not initialise the "${backend}" backend`)
  }
  await tf.ready()
  silenceTfjsCpuBanner(tf)
  return tf.getBackend()
}
