/**
 * How fine `process.hrtime.bigint()` really is on this machine. A latency sample is
 * quantised to the timer's step, so a sample only 100 steps long carries up to 1% error
 * from the clock alone; benchmarks of samples that short get a warning.
 */

/** Samples whose median is shorter than this many timer steps get a warning. */
export const RESOLUTION_FACTOR = 100

export interface TimerResolution {
  /** Smallest non-zero step between two consecutive readings, in ns. */
  resolutionNs: number
  /** Median cost of one reading (call overhead), in ns. */
  readCostNs: number
}

/** Reads the clock back to back `reads` times and reports its step and its read cost. */
export function measureTimerResolution(reads = 2000): TimerResolution {
  const stamps = new BigInt64Array(reads)
  for (let i = 0; i < reads; i++) stamps[i] = process.hrtime.bigint()
  let step = Number.POSITIVE_INFINITY
  const deltas: number[] = []
  for (let i = 1; i < reads; i++) {
    const delta = Number(stamps[i]! - stamps[i - 1]!)
    deltas.push(delta)
    if (delta > 0 && delta < step) step = delta
  }
  deltas.sort((a, b) => a - b)
  const readCostNs = deltas[Math.floor(deltas.length / 2)]!
  // A clock that never advanced over all reads is coarser than the whole loop took.
  const resolutionNs = Number.isFinite(step) ? step : Number(stamps[reads - 1]! - stamps[0]!) + 1
  return { resolutionNs, readCostNs }
}

/** A warning when a median latency is within RESOLUTION_FACTOR timer steps, else undefined. */
export function timerWarning(medianMs: number, timer: TimerResolution): string | undefined {
  const medianNs = medianMs * 1e6
  const floorNs = Math.max(timer.resolutionNs, timer.readCostNs) * RESOLUTION_FACTOR
  if (medianNs >= floorNs) return undefined
  return (
    `median ${formatNs(medianNs)} is within ${RESOLUTION_FACTOR}x the timer's resolution ` +
    `(${formatNs(timer.resolutionNs)} step, ${formatNs(timer.readCostNs)} per read): samples are quantised by more than 1% — ` +
    `benchmark a larger batch so each run lasts longer than ${formatNs(floorNs)}`
  )
}

function formatNs(ns: number): string {
  return ns >= 1e6 ? `${(ns / 1e6).toPrecision(3)} ms` : ns >= 1e3 ? `${(ns / 1e3).toPrecision(3)} µs` : `${Math.round(ns)} ns`
}
