/**
 * The `bench` plugin: the `mltest bench` command (run the bench-tagged tests, keep a history,
 * call regressions with statistics) and its options (`pluginOptions.bench`). Registered in
 * every run, so its module imports nothing heavy: the command, better-sqlite3 and the
 * statistics load when `mltest bench` runs.
 */
import type { Plugin } from 'mltest/plugin'
import { abModelFor } from './_internals/ab-model-swap.ts'
import { benchOptions, optionFlags } from './_internals/bench-options.ts'

export function benchHistoryPlugin(): Plugin {
  return {
    name: 'bench',
    options: benchOptions,
    commands: [
      {
        name: 'bench',
        description:
          'run the bench-tagged tests, store them in the benchmark history and compare each benchmark with its baseline (exit 1 on a regression). ' +
          'Args: [paths...] [-- flags for mltest run]; or: history [name] | export --out FILE | import FILE',
        arguments: ['[args...]'],
        options: [
          { flags: '--config <path>', description: 'config file (default: mltest.config.{ts,mts,js,mjs} in the current folder)' },
          { flags: '--baseline <name>', description: 'compare with the run saved under this name instead of the last runs' },
          { flags: '--save-baseline <name>', description: 'save this run under a name (replaces a run saved under it)' },
          { flags: '--allow-fingerprint-mismatch', description: 'compare with baselines measured on another machine fingerprint (stated in the output)' },
          { flags: '--fail-on-inconclusive', description: 'exit 1 when a verdict is inconclusive, too' },
          { flags: '--ab <ref>', description: 'A/B mode: measure the code at this git ref against the working tree, in alternating runs of this job (nothing stored)' },
          { flags: '--ab-model <old.onnx>', description: 'A/B mode: measure an older model file against the current one of the same file name (or CURRENT.onnx=OLD.onnx), same code' },
          { flags: '--ab-rounds <n>', description: 'A/B mode: rounds of alternating runs (default: 5, at least 3)' },
          { flags: '--out <file>', description: '(bench export) the JSON file to write' },
          { flags: '--limit <n>', description: '(bench history) how many runs to show (default: 10)' },
          ...optionFlags().map(({ flags, description }) => ({ flags, description })),
        ],
        async run(args, flags, context) {
          const { benchCommand } = await import('./_internals/bench-command.ts')
          return benchCommand(args, flags, context)
        },
      },
    ],
    // A/B mode's A arm: benchOnnx('model.onnx') opens the older model instead.
    resolveModel: (ref) => abModelFor(ref),
  }
}
