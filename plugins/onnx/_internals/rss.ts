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
