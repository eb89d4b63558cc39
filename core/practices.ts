/**
 * The 14 practices of production ML that mltest's checks exercise, in three stages (after
 * Breck et al., "The ML Test Score", and Serban et al.'s practices of software engineering
 * for ML). Every check records one of these ids as its `practice`; the readiness ledger
 * (`mltest run --readiness`) groups them by stage.
 */

export type Stage = 'development' | 'deployment' | 'monitoring'

export interface Practice {
  id: string
  stage: Stage
  /** The practice as a sentence, as the ledger prints it. */
  title: string
}

export const PRACTICES = [
  { id: 'versioning', stage: 'development', title: 'Model code, data, parameters and metrics are version controlled' },
  { id: 'complexity-tax', stage: 'development', title: 'A simpler model is not better' },
  { id: 'data-slices', stage: 'development', title: 'Model quality is sufficient on all important data slices' },
  { id: 'inclusion', stage: 'development', title: 'The model is tested for considerations of inclusion' },
  { id: 'reproducible-training', stage: 'deployment', title: 'Training is reproducible' },
  { id: 'model-unit-test', stage: 'deployment', title: 'Model specs are unit tested' },
  { id: 'pipeline-integration', stage: 'deployment', title: 'ML pipelines are integration tested' },
  { id: 'canary', stage: 'deployment', title: 'Models are deployed via a canary process' },
  { id: 'rollback', stage: 'deployment', title: 'A rollback procedure is in place and regularly practiced' },
  { id: 'dependency-changes', stage: 'monitoring', title: 'Dependency changes are tracked' },
  { id: 'train-serve-skew', stage: 'monitoring', title: 'Training and serving are not skewed' },
  { id: 'numerical-stability', stage: 'monitoring', title: 'Models are numerically stable' },
  { id: 'computational-performance', stage: 'monitoring', title: 'Computational performance has not regressed' },
  { id: 'prediction-drift', stage: 'monitoring', title: 'Online proxies for offline quality (prediction drift) are tracked' },
] as const satisfies readonly Practice[]

export type PracticeId = (typeof PRACTICES)[number]['id']

export const STAGES: readonly Stage[] = ['development', 'deployment', 'monitoring']

/** The practice with this id, or undefined (a third-party check may use its own ids). */
export function practiceById(id: string): Practice | undefined {
  return PRACTICES.find((practice) => practice.id === id)
}
