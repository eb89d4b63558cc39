/**
 * How precisely `process.hrtime.bigint()` times one run on this machine. A timed sample is
 * two clock reads around `session.run`: it is quantised to the clock's step and carries part
 * of a read's cost, so it is known only to ±(step + read cost), the timer's error. The
 * budget judgement widens every latency interval by that error, so the clock decides nothing
 * unless a budget lies within it.
 *
 * Measured once per worker and cached: a read's cost measured on each call varied between
 * calls (30–140 ns in one run, as the JIT warmed up and other threads competed), and
 * verdicts near a threshold on it flipped. The minimum over rounds is stable.
 */

// Captured at load: user code that patches the clock cannot change what is measured.
const hrtime = process.hrtime.bigint

/** A median shorter than this many timer errors gets a warning (the clock alone adds over 1%). */
export const RESOLUTION_FACTOR = 100

export interface TimerResolution {
  /** The clock's step, ns: the smallest positive difference between two gaps of back-to-back reads (an upper bound on the true step). */
  resolutionNs: number
  /** Cost of one read, ns: the lowest per-round median gap between back-to-back reads. */
  readCostNs: number
  /** resolutionNs + readCostNs: how far a timed sample can lie from the run's duration, either way. */
  errorNs: number
  /** Back-to-back reads measured (after one untimed warm-up round). */
  reads: number
}

/** Reads the clock `rounds` × `readsPerRound` times back to back (after a warm-up round) and derives its step and read cost. */
export function measureTimer(rounds = 8, readsPerRound = 2000): TimerResolution {
  const stamps = new BigInt64Array(readsPerRound)
  const gaps = new Float64Array(readsPerRound - 1)
  let smallestGap = Number.POSITIVE_INFINITY
  let readCostNs = Number.POSITIVE_INFINITY
  const distinct = new Set<number>()
  let span = 0
  // Round 0 warms the JIT up and is not counted.
  for (let round = 0; round <= rounds; round++) {
    for (let i = 0; i < readsPerRound; i++) stamps[i] = hrtime()
    if (round === 0) continue
    for (let i = 1; i < readsPerRound; i++) gaps[i - 1] = Number(stamps[i]! - stamps[i - 1]!)
    gaps.sort()
    const median = gaps[gaps.length >> 1]!
    const roundSpan = Number(stamps[readsPerRound - 1]! - stamps[0]!)
    span = Math.max(span, roundSpan)
    // A clock coarser than a read returns the same value most of the time: the mean gap is then the read's cost.
    readCostNs = Math.min(readCostNs, median > 0 ? median : roundSpan / (readsPerRound - 1))
    for (const gap of gaps) {
      if (gap > 0 && gap < smallestGap) smallestGap = gap
      distinct.add(gap)
    }
  }
  // Every gap is a multiple of the step, so is every difference between two gaps: the
  // smallest positive one bounds the step from above, tighter than the smallest gap.
  const sorted = [...distinct].sort((a, b) => a - b)
  let step = smallestGap
  for (let i = 1; i < sorted.length; i++) step = Math.min(step, sorted[i]! - sorted[i - 1]!)
  // A clock that never advanced is coarser than the longest round took.
  const resolutionNs = Number.isFinite(step) ? step : span + 1
  return { resolutionNs, readCostNs, errorNs: resolutionNs + readCostNs, reads: rounds * readsPerRound }
}

let measured: TimerResolution | undefined

/** This worker's timer, measured on first use and the same for every benchmark after. */
export function timerResolution(): TimerResolution {
  measured ??= measureTimer()
  return measured
}

/** A warning when a median latency is within RESOLUTION_FACTOR timer errors, else undefined. */
export function timerWarning(medianMs: number, timer: TimerResolution): string | undefined {
  const medianNs = medianMs * 1e6
  const floorNs = timer.errorNs * RESOLUTION_FACTOR
  if (medianNs >= floorNs) return undefined
  return (
    `median ${formatNs(medianNs)} is within ${RESOLUTION_FACTOR}x the timer's error (±${formatNs(timer.errorNs)}: ` +
    `${formatNs(timer.resolutionNs)} step + ${formatNs(timer.readCostNs)} per read), so each sample may be off by more than 1% — ` +
    `a budget within that error of a CI is inconclusive; benchmark a larger batch so each run lasts longer than ${formatNs(floorNs)}`
  )
}

export function formatNs(ns: number): string {
  return ns >= 1e6 ? `${(ns / 1e6).toPrecision(3)} ms` : ns >= 1e3 ? `${(ns / 1e3).toPrecision(3)} µs` : `${Math.round(ns)} ns`
}
