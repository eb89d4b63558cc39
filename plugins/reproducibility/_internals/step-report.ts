/**
 * The readable report of `checkTrainingStep`: what went wrong, the loss before and after,
 * and for each variable that did not move or got a non-finite gradient, the likely reason.
 */
import { formatNumber } from 'mltest/plugin'

export interface VariableStep {
  name: string
  shape: number[]
  moved: boolean
  /** Largest |after - before| over the variable's elements. */
  maxChange: number
  gradient: { received: boolean; finite: boolean; maxAbs: number }
}

export interface StepReportInput {
  problems: string[]
  variables: VariableStep[]
  lossBefore: number
  lossAfter: number
  steps: number
  optimizerName: string
  backend: string
  inputs: string
  targets: string
  unexpectedFrozen: string[]
  replay: string
}

function reason(v: VariableStep): string {
  if (!v.gradient.received) return 'no gradient — its output is not connected to the loss'
  if (!v.gradient.finite) return 'gradient is not finite'
  if (v.gradient.maxAbs === 0) return 'gradient is all zeros (dead units, or an output the loss ignores)'
  return `gradient max |g| ${formatNumber(v.gradient.maxAbs)} is too small to change the float32 values at this learning rate`
}

export function formatStepReport(input: StepReportInput): string {
  const ok = input.problems.length === 0
  const lines = [
    ok
      ? `checkTrainingStep: the model trains — ${input.steps} ${input.optimizerName} step(s) on backend ${input.backend}`
      : `checkTrainingStep: the model failed its training-step unit test — ${input.problems.join('; ')}`,
    `  ${input.steps} step(s) with ${input.optimizerName} on backend ${input.backend}; ${input.inputs}; ${input.targets}`,
    `  loss: ${formatNumber(input.lossBefore)} before → ${formatNumber(input.lossAfter)} after (${Object.is(input.lossBefore, input.lossAfter) ? 'unchanged' : 'changed'})`,
  ]
  const stuck = input.variables.filter((v) => !v.moved)
  if (stuck.length > 0) {
    lines.push(`  variables that did not move (${stuck.length} of ${input.variables.length}):`)
    for (const v of stuck) lines.push(`    ${v.name} [${v.shape.join(',')}]: ${reason(v)}`)
  }
  const nonFinite = input.variables.filter((v) => v.gradient.received && !v.gradient.finite)
  if (nonFinite.length > 0) {
    lines.push(`  variables with non-finite gradients (${nonFinite.length} of ${input.variables.length}):`)
    for (const v of nonFinite) lines.push(`    ${v.name} [${v.shape.join(',')}]`)
  }
  if (input.unexpectedFrozen.length > 0) {
    lines.push(`  frozen layers (trainable: false): ${input.unexpectedFrozen.join(', ')} — their variables never train; pass { frozen: [...] } if that is intended`)
  }
  if (ok) lines.push(`  all ${input.variables.length} trainable variables moved; every gradient finite`)
  lines.push(`replay: ${input.replay}`)
  return lines.join('\n')
}
