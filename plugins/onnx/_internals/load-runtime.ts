/**
 * onnxruntime-node is heavy (a native library of tens of MB), so it loads on first use,
 * never when a suite merely imports `mltest/onnx`.
 */
import { importOptional } from 'mltest/plugin'
import type * as Ort from 'onnxruntime-node'

export type OrtModule = typeof Ort

let loading: Promise<OrtModule> | undefined

export function loadRuntime(): Promise<OrtModule> {
  loading ??= importOptional<OrtModule>('onnxruntime-node', 'mltest/onnx', 'InferenceSession').catch((error: unknown) => {
    loading = undefined
    throw error
  })
  return loading
}

/** The runtime's version, for reports and error messages. */
export function runtimeVersion(ort: OrtModule): string {
  return (ort.env as { versions?: { node?: string; common?: string } }).versions?.node ?? 'unknown'
}
