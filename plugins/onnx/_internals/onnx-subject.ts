/**
 * What one benchOnnx batch measured, as the benchmark history sees it: the model's SHA-256
 * and the options that change the work (the feeds as run, where they came from, the
 * execution provider and thread settings). The history keeps a benchmark's baseline across a
 * changed subject and shows the change beside the verdict.
 */
import type { AnnotationValue } from 'mltest/plugin'
import type { InferenceSession } from 'onnxruntime-node'
import type { BenchOnnxOptions } from '../bench-onnx.ts'

export interface OnnxSubjectInput {
  /** Null for a session the caller made (no file or bytes to hash). */
  sha256: string | null
  options: BenchOnnxOptions
  /** Whether benchOnnx created the session (so its session options are known). */
  owned: boolean
}

function providerName(provider: NonNullable<InferenceSession.SessionOptions['executionProviders']>[number]): string {
  return typeof provider === 'string' ? provider : provider.name
}

export function onnxSubject({ sha256, options, owned }: OnnxSubjectInput, feeds: readonly string[]): Record<string, AnnotationValue> {
  const subject: Record<string, AnnotationValue> = { sha256, feeds: feeds.join('; ') }
  if (options.inputs) {
    subject.inputs = 'fixed'
  } else {
    subject.inputs = options.generate ? 'generated (custom generate)' : 'generated (normal(0, 1) floats, zero integers)'
    // Without a seed option the feeds follow the test's seed, which changes with every run
    // unless --seed is given; the values' distribution, so the work, stays the same.
    subject.feedsSeed = options.seed ?? 'the test seed'
  }
  if (!owned) {
    subject.session = 'given by the caller (settings unknown)'
    return subject
  }
  const s = options.sessionOptions ?? {}
  subject.executionProviders = s.executionProviders?.length ? s.executionProviders.map(providerName).join(', ') : 'default (cpu)'
  if (s.intraOpNumThreads !== undefined) subject.intraOpNumThreads = s.intraOpNumThreads
  if (s.interOpNumThreads !== undefined) subject.interOpNumThreads = s.interOpNumThreads
  if (s.graphOptimizationLevel !== undefined) subject.graphOptimizationLevel = s.graphOptimizationLevel
  if (s.executionMode !== undefined) subject.executionMode = s.executionMode
  return subject
}
