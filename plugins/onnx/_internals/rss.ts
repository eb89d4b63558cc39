/**
 * Resident set size. onnxruntime allocates its arena, weights and threads in native memory,
 * which the V8 heap figures never show; only the process's rss does. Reading rss costs tens
 * of µs (it reads /proc), so the benchmark samples it between timed runs, never inside one.
 */
import { readFileSync } from 'node:fs'

const MIB = 1024 * 1024

/** Current rss in MiB. */
export function rssMb(): number {
  return process.memoryUsage.rss() / MIB
}

/**
 * The kernel's high-water mark of this process's rss (VmHWM, Linux), in MiB: the exact peak
 * since the process started, including transient peaks between two samples. Null elsewhere.
 */
export function processPeakRssMb(): number | null {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))
    return match ? Number(match[1]) / 1024 : null
  } catch {
    return null
  }
}

/** Keeps the largest rss seen; the caller decides when to sample (every `intervalMs`). */
export class RssSampler {
  peakMb: number

  constructor(readonly intervalMs: number) {
    this.peakMb = rssMb()
  }

  sample(): number {
    const mb = rssMb()
    if (mb > this.peakMb) this.peakMb = mb
    return mb
  }
}

export interface PeakRss {
  /** The kernel's high-water mark when the benchmark raised it, else the largest sample, MiB. */
  rssPeakMb: number
  rssPeakSource: 'kernel high-water mark' | 'sampled'
  /** Largest rss sampled between runs (never inside one), MiB. */
  rssSampledPeakMb: number
}

/**
 * A load or a run happens in code that JS cannot sample inside, but the kernel's high-water
 * mark sees every page: if it rose during the benchmark, its new value is exactly the
 * benchmark's peak. If it did not, the process peaked earlier, and the samples are the best
 * figure for the benchmark's own peak.
 */
export function peakRss(sampledMb: number, highWaterBefore: number | null, highWaterAfter: number | null): PeakRss {
  if (highWaterBefore !== null && highWaterAfter !== null && highWaterAfter > highWaterBefore && highWaterAfter >= sampledMb) {
    return { rssPeakMb: highWaterAfter, rssPeakSource: 'kernel high-water mark', rssSampledPeakMb: sampledMb }
  }
  return { rssPeakMb: sampledMb, rssPeakSource: 'sampled', rssSampledPeakMb: sampledMb }
}
