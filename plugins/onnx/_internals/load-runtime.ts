/**
 * onnxruntime-node is heavy (a native library of tens of MB), so it loads on first use,
 * never when a suite merely imports `mltest/onnx`.
 */
import type * as Ort from 'onnxruntime-node'

export type OrtModule = typeof Ort

let loading: Promise<OrtModule> | undefined

export function loadRuntime(): Promise<OrtModule> {
  loading ??= import('onnxruntime-node').then(
    (mod) => {
      // CommonJS interop: the namespace may carry the exports on `default` only.
      const ns = mod as unknown as OrtModule & { default?: OrtModule }
      return ns.InferenceSession ? ns : ns.default!
    },
    (error: unknown) => {
      loading = undefined
      const code = (error as { code?: string }).code
      if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
        throw new Error('install onnxruntime-node to use mltest/onnx: npm install --save-dev onnxruntime-node', { cause: error })
      }
      const detail = error instanceof Error ? error.message.split('\n')[0] : String(error)
      throw new Error(`onnxruntime-node is installed but failed to load (${detail}) — reinstall it for this platform: npm rebuild onnxruntime-node`, { cause: error })
    },
  )
  return loading
}

/** The runtime's version, for reports and error messages. */
export function runtimeVersion(ort: OrtModule): string {
  return (ort.env as { versions?: { node?: string; common?: string } }).versions?.node ?? 'unknown'
}
