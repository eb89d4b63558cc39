/**
 * Heavy optional peer dependencies (tfjs, onnxruntime-node, onnx-proto, fast-check's
 * companions) load on first use, never when a suite merely imports a plugin, so a plain suite
 * starts as fast as a plain runner. A missing package becomes one line saying what to install
 * and what needs it, instead of a resolver stack trace.
 */

function isMissing(error: unknown, specifier: string): boolean {
  const e = error as { code?: string; message?: string }
  return (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && String(e.message).includes(specifier)
}

/**
 * Imports `specifier`; `feature` names what needs it, e.g. `mltest/onnx`. CommonJS packages
 * whose exports arrive on `default` only are unwrapped when `unwrapKey` is missing on the
 * namespace itself.
 */
export async function importOptional<T>(specifier: string, feature: string, unwrapKey?: string): Promise<T> {
  let mod: Record<string, unknown>
  try {
    mod = (await import(specifier)) as Record<string, unknown>
  } catch (error) {
    if (isMissing(error, specifier)) {
      throw new Error(`install ${specifier} to use ${feature}: npm install --save-dev ${specifier}`, { cause: error })
    }
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error)
    throw new Error(`${specifier} is installed but failed to load (${detail}) — reinstall it for this platform: npm rebuild ${specifier}`, { cause: error })
  }
  if (unwrapKey && !(unwrapKey in mod) && mod.default && typeof mod.default === 'object') return mod.default as T
  return mod as T
}

interface TfjsLike {
  getBackend(): string
  backend(): unknown
}

/**
 * tfjs's CPU backend prints an "install tfjs-node" banner on first use in Node. It would land
 * in the captured output of whichever test first touches tfjs, so checks switch it off once
 * the backend is chosen.
 */
export function silenceTfjsCpuBanner(tf: TfjsLike): void {
  if (tf.getBackend() === 'cpu') (tf.backend() as { firstUse?: boolean }).firstUse = false
}
