/**
 * Lazy loading of the heavy optional dependencies (tfjs, onnxruntime-node, onnx-proto), so a
 * suite that only checks feature pipelines starts as fast as a plain one, and a missing
 * package is a one-line instruction instead of a resolver stack trace.
 */
import type * as Tfjs from '@tensorflow/tfjs'
import type * as Ort from 'onnxruntime-node'
import type { onnx as OnnxNamespace } from 'onnx-proto'

function isMissing(error: unknown, specifier: string): boolean {
  const e = error as { code?: string; message?: string }
  return (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && String(e.message).includes(specifier)
}

async function load<T>(specifier: string, usage: string): Promise<T> {
  try {
    return (await import(specifier)) as T
  } catch (error) {
    if (isMissing(error, specifier)) throw new Error(`install ${specifier} to use mltest/parity ${usage}`, { cause: error })
    throw error
  }
}

export function loadTfjs(usage: string): Promise<typeof Tfjs> {
  return load<typeof Tfjs>('@tensorflow/tfjs', usage)
}

export function loadOnnxruntime(usage: string): Promise<typeof Ort> {
  return load<typeof Ort>('onnxruntime-node', usage)
}

/** onnx-proto is CommonJS: its namespace arrives as the default export. */
export async function loadOnnxProto(usage: string): Promise<typeof OnnxNamespace> {
  const mod = await load<{ onnx?: typeof OnnxNamespace; default?: { onnx: typeof OnnxNamespace } }>('onnx-proto', usage)
  return (mod.onnx ?? mod.default!.onnx)
}
