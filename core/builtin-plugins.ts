/**
 * Plugins registered in every run before the config's own. They are loaded on both sides
 * of the thread boundary, so their modules import nothing heavy: tfjs and onnxruntime load
 * inside the check functions that need them.
 */
import type { Plugin } from './hooks.ts'
import { benchHistoryPlugin } from '../plugins/bench-history/plugin.ts'
import { onnxPlugin } from '../plugins/onnx/plugin.ts'
import { reproducibilityPlugin } from '../plugins/reproducibility/_internals/plugin.ts'
import { releasePlugin } from '../plugins/release/plugin.ts'
import { stabilityPlugin } from '../plugins/stability/plugin.ts'

export function builtinPlugins(): Plugin[] {
  return [stabilityPlugin(), reproducibilityPlugin(), onnxPlugin(), benchHistoryPlugin(), releasePlugin()]
}
