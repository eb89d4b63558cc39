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
export type { ImportOptionalOptions } from './optional-dependency.ts'

// Numbers: flattening tensors, indices.
export { formatIndex, toFlatNumbers } from './expect/numeric.ts'
export type { FlatNumbers } from './expect/numeric.ts'

// Numeric core and report formatting.
export { describeTolerance, isExactTolerance, validateTolerance } from './numeric/tolerance.ts'
export type { Tolerance } from './numeric/tolerance.ts'
export { absDiff, isClose } from './numeric/is-close.ts'
export type { IsCloseOptions } from './numeric/is-close.ts'
export { isFloat32, pairPrecision, ulpDistance } from './numeric/ulp-distance.ts'
export type { FloatPrecision } from './numeric/ulp-distance.ts'
export { compareArrays } from './numeric/compare-arrays.ts'
export { QUANTILE_METHOD, quantileSorted } from './numeric/quantile.ts'
export { binFractions, describeBinning, jensenShannon, quantileBinning } from './numeric/binned-distance.ts'
export type { Binning, JensenShannon } from './numeric/binned-distance.ts'
export type { ArrayComparison, UlpMax } from './numeric/compare-arrays.ts'
export { CheckFailure } from './report/check-failure.ts'
export type { CheckFailureOptions } from './report/check-failure.ts'
export { formatNumber } from './report/format-number.ts'
export { formatTable } from './report/format-table.ts'
export { evenlySpaced, figure, FIGURE_MAX_BYTES } from './report/figure.ts'
export { PRACTICES, practiceById, STAGES } from './practices.ts'
export type { Practice, PracticeId, Stage } from './practices.ts'
export { computeReadiness, formatReadiness, MAX_READINESS_SCORE, minReadinessFailure, stageScores } from './readiness.ts'
export type { FormatReadinessOptions, PracticeCoverage, PracticeReadiness, PracticeStatus, ReadinessLedger, StageReadiness } from './readiness.ts'
export type { ColumnAlign, FormatTableOptions } from './report/format-table.ts'

// Plugin and reporter shapes.
export type {
  CommandContext,
  JsonValue,
  MainHooks,
  OrderedHook,
  Plugin,
  PluginCommand,
  PluginOptionsSchema,
  RunInfo,
  RunSummary,
  WorkerHooks,
  WrapTestInfo,
} from './hooks.ts'

// Options: a plugin's options (declared as a zod schema on the plugin, validated by core)
// and a check's options (validated at each call).
export { z } from 'zod'
export { pluginOptions } from './plugin-options.ts'
export { optionField, parseCheckOptions } from './options/check-options.ts'
export { shownValue } from './options/describe-issue.ts'
export { UsageError } from './node/usage-error.ts'
export type { FileReport, Reporter, ReporterFactory, ReporterOptions, RunResult, RunStart } from './reporter.ts'
export type {
  Annotation,
  AnnotationValue,
  BenchmarkRecord,
  CheckFigure,
  CheckRecord,
  CollectedTest,
  FigureJson,
  FileResult,
  LogEntry,
  SerializedError,
  SourceLocation,
  TestResult,
  Verdict,
} from './protocol.ts'
export { summaryLine } from './summary.ts'
export { RESULT_SCHEMA_VERSION, toResultJson } from './result-format.ts'
