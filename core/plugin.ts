/**
 * `mltest/plugin`: the one public entry for plugin, check and reporter authors. The built-in
 * plugins and reporters import only from `mltest` and from here, exactly as a third party
 * would; a test fails the build when a file under `plugins/` or `reporters/` reaches into a
 * core-internal path.
 */
// The running test: what a check reads and where it records its outcome.
export { annotate, currentTest, recordCheck } from './running-test.ts'
export type { TestContext } from './running-test.ts'
export { resolveModelRef } from './active-plugins.ts'
export { importWithoutCollecting } from './worker/collect.ts'

// Seeds and seeded randomness.
export { createRng, deriveSeed } from './seed.ts'
export type { Rng } from './seed.ts'

// Optional heavy dependencies.
export { importOptional, silenceTfjsCpuBanner } from './optional-dependency.ts'

// Numbers: flattening tensors, indices, float distances.
export { formatIndex, toFlatNumbers } from './expect/numeric.ts'
export type { FlatNumbers } from './expect/numeric.ts'
export { ulpDistance } from './float32.ts'

// Plugin and reporter shapes.
export type { MainHooks, Plugin, PluginOption, RunInfo, RunSummary, WorkerHooks, WrapTestInfo } from './hooks.ts'
export type { FileReport, Reporter, ReporterFactory, ReporterOptions, RunResult, RunStart } from './reporter.ts'
export type {
  Annotation,
  AnnotationValue,
  CheckRecord,
  CollectedTest,
  FileResult,
  LogEntry,
  SerializedError,
  SourceLocation,
  TestResult,
  Verdict,
} from './protocol.ts'
export { summaryLine } from './summary.ts'
export { RESULT_SCHEMA_VERSION, toResultJson } from './result-format.ts'
