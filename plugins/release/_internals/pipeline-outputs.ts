/**
 * A stage's output as one short line for the pipeline report: what came out, never the whole
 * value (a model, a tensor, a dataset of thousands of rows).
 */
import { formatNumber } from 'mltest/plugin'

const MAX = 80

function clip(text: string): string {
  return text.length > MAX ? `${text.slice(0, MAX - 1)}…` : text
}

export function describeOutput(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (typeof value === 'number') return formatNumber(value)
  if (typeof value === 'string') return clip(JSON.stringify(value))
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`
  if (value instanceof Uint8Array) return `${value.length.toLocaleString('en-US')} bytes`
  if (ArrayBuffer.isView(value)) return `${value.constructor.name} of ${(value as unknown as ArrayLike<number>).length.toLocaleString('en-US')}`
  if (Array.isArray(value)) return `array of ${value.length.toLocaleString('en-US')}`
  const object = value as Record<string, unknown> & { shape?: unknown; getClassName?: () => string; inputNames?: unknown }
  if (typeof object.getClassName === 'function') return `tfjs ${object.getClassName()}`
  if (Array.isArray(object.inputNames) && typeof (object as { run?: unknown }).run === 'function') return `onnxruntime session (inputs ${(object.inputNames as string[]).join(', ')})`
  if (Array.isArray(object.shape) && object.shape.every((d) => typeof d === 'number')) return `tensor [${object.shape.join(', ')}]`
  if (value instanceof Map) return `Map of ${value.size}`
  const parts = Object.entries(object).map(([key, v]) => {
    if (typeof v === 'number' || typeof v === 'boolean') return `${key}: ${typeof v === 'number' ? formatNumber(v) : v}`
    if (typeof v === 'string') return `${key}: ${v.length > 30 ? `${JSON.stringify(v.slice(0, 29))}…` : JSON.stringify(v)}`
    return `${key}: ${describeOutput(v).split(' (')[0]}`
  })
  return clip(`{ ${parts.join(', ')} }`)
}
