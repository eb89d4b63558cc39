/**
 * `mltest bench --ab-model`: the A arm's runs get the swap in an environment variable, and the
 * bench plugin's `resolveModel` hook (registered in every run, so this module stays tiny)
 * hands benchOnnx the older model for the current one's path.
 */
import { basename, resolve } from 'node:path'

export const AB_MODEL_ENV = 'MLTEST_BENCH_AB_MODEL'

/** What `--ab-model` swaps: `target` (a path; undefined: any model of file name `name`) for `old`. */
export interface ModelSwap {
  target?: string
  /** Base name of the models it stands in for. */
  name: string
  /** The older model, copied under `name` so both arms name the benchmark alike. */
  old: string
}

/** The A arm's model path for a reference the B arm uses, or undefined when `ref` is not the swapped model. */
export function swappedModel(ref: string, swap: ModelSwap): string | undefined {
  if (swap.target !== undefined) return resolve(ref) === swap.target ? swap.old : undefined
  return basename(ref) === swap.name && resolve(ref) !== swap.old ? swap.old : undefined
}

/** The hook: the swap of this process's A/B run, if any. */
export function abModelFor(ref: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const text = env[AB_MODEL_ENV]
  return text ? swappedModel(ref, JSON.parse(text) as ModelSwap) : undefined
}
