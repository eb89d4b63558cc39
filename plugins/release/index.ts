/**
 * `mltest/release`: release safety. Provenance manifests (what produced a model), tracked
 * dependency changes, a file-based model registry and rollback drills; the canary check and
 * pipeline integration tests live beside them. Importing this module is cheap: onnxruntime
 * loads when a drill loads an ONNX model.
 */
export { openRegistry } from './registry.ts'
export type { GoldenOutputs, PointerRecord, RegisteredVersion, Registry, RegisterOptions } from './registry.ts'
export { ReleaseFileError } from './_internals/release-file-error.ts'
export * from './canary.ts'
export * from './pipeline.ts'
export { checkProvenance, manifestPathFor, readManifest, recordProvenance } from './provenance.ts'
export type { CheckProvenanceOptions, FileRecord, ProvenanceManifest, ProvenanceResult, RecordProvenanceOptions } from './provenance.ts'
export { rollbackDrill } from './rollback.ts'
export type { DrillStep, ModelLoader, Predictor, RollbackDrillOptions, RollbackDrillResult } from './rollback.ts'
export { acceptDependencies, checkDependencies } from './dependencies.ts'
export type { Acceptance, AcceptDependenciesOptions, AcceptResult, Baseline, ChangeKind, CheckDependenciesOptions, DependenciesResult, DependencyChange } from './dependencies.ts'
export { releasePlugin } from './plugin.ts'
