/**
 * Lazy loading of the heavy optional dependencies (tfjs, onnxruntime-node, onnx-proto), so a
 * suite that only checks feature pipelines starts as fast as a plain one, and a missing
 * package is a one-line instruction instead of a resolver stack trace.
 */
import { importOptional, silenceTfjsCpuBanner } from 'mltest/plugin'
import type * as Tfjs from '@tensorflow/tfjs'
import type * as Ort from 'onnxruntime-node'
import type { onnx as OnnxNamespace } from 'onnx-proto'

async function load<T>(specifier: string, usage: string): Promise<T> {
  return importOptional<T>(specifier, `mltest/parity ${usage}`)
}

export async function loadTfjs(usage: string): Promise<typeof Tfjs> {
  const tf = await load<typeof Tfjs>('@tensorflow/tfjs', usage)
  await tf.ready()
  silenceTfjsCpuBanner(tf)
  return tf
}

export function loadOnnxruntime(usage: string): Promise<typeof Ort> {
  return load<typeof Ort>('onnxruntime-node', usage)
}

/** onnx-proto is CommonJS: its namespace arrives as the default export. */
export async function loadOnnxProto(usage: string): Promise<typeof OnnxNamespace> {
  const mod = await load<{ onnx?: typeof OnnxNamespace; default?: { onnx: typeof OnnxNamespace } }>('onnx-proto', usage)
  return (mod.onnx ?? mod.default!.onnx)
}
