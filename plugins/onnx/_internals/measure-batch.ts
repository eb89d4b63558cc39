/**
 * benchOnnx's timed loop for one batch size: the shared loop (timed-loop.ts) around a bare
 * `session.run(feeds)`, with errors that name the model, the batch size and the feeds.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-node'
import type { BatchResult } from '../bench-onnx.ts'
import { BenchOnnxError } from './bench-onnx-error.ts'
import type { RssSampler } from './rss.ts'
import { summarizeTimedRuns } from './timed-batch.ts'
import { runTimedLoop, type LoopSettings } from './timed-loop.ts'
import type { TimerResolution } from './timer-resolution.ts'

export type { LoopSettings } from './timed-loop.ts'

export async function measureBatch(
  session: InferenceSession,
  feeds: Record<string, Tensor>,
  batchSize: number,
  loop: LoopSettings,
  sampler: RssSampler,
  timer: TimerResolution,
  model: string,
): Promise<BatchResult> {
  const feedText = Object.entries(feeds).map(([name, t]) => `${name}: ${t.type} [${t.dims.join(', ')}]`)
  const runs = await runTimedLoop(() => session.run(feeds), loop, sampler, {
    failed(error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error)
      return new BenchOnnxError('RUN_FAILED', `benchOnnx: ${model} failed at batch size ${batchSize} with feeds ${feedText.join('; ')}: ${reason}`, { cause: error })
    },
    aborted(phase, done) {
      return new BenchOnnxError('RUN_FAILED', `benchOnnx: ${model} stopped at batch size ${batchSize} after ${done} ${phase} runs because the test was aborted (timeout) — lower maxTimeMs or raise the test's timeout`)
    },
  })
  return { ...summarizeTimedRuns(runs, batchSize, batchSize, loop, timer, `batch ${batchSize}`), feeds: feedText }
}
