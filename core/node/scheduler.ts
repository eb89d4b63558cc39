/**
 * Hands one file per task to the pool, never more tasks than workers. Watches each running
 * test: a test that blocks its worker past its deadline has the worker terminated and is
 * reported as a timeout. When a worker dies mid-file (crash, `process.exit`, out of memory,
 * hung test), the test it was running fails with the reason, and the file's remaining tests
 * run again on a fresh worker. Also: `--bail` and memory-based worker recycling.
 */
import type { CollectedTest, FileResult, FileTask, SerializedError, TestResult, WorkerBatch } from '../protocol.ts'
import type { WorkerPool } from './worker-pool.ts'
import { WorkerCrash } from './worker-pool.ts'
import { ExclusiveGate } from './exclusive-gate.ts'
import { watchdogDeadline } from '../watchdog.ts'

export interface SchedulerEvents {
  onCollected(file: string, tests: CollectedTest[]): void
  onTestStart(file: string, testId: string): void
  onTestResult(result: TestResult): void
  onLog(file: string, testId: string | null, entry: { stream: 'stdout' | 'stderr'; text: string }): void
  onFileResult(result: FileResult): void
}

export interface SchedulerOptions {
  pool: WorkerPool
  /** Builds the task for a file; `skipIds` lists tests an earlier attempt already reported. */
  taskFor(file: string, skipIds: string[]): FileTask
  bail: number
  /** `--isolate file`: a fresh worker for every file. */
  recycleEveryFile?: boolean
  /** Recycle a worker whose memory passed this many bytes after a file. */
  memoryLimitBytes?: number
  memoryMetric: 'heap' | 'rss'
  events: SchedulerEvents
}

interface Phase {
  label: string
  deadlineMs: number
  guards: string[]
  resumable: boolean
}

export interface ScheduleOutcome {
  files: FileResult[]
  notRun: string[]
}

export async function runScheduled(files: string[], options: SchedulerOptions): Promise<ScheduleOutcome> {
  const { pool, events } = options
  const queue = files.map((file) => ({ file, skipIds: [] as string[] }))
  const results = new Map<string, FileResult>()
  const cancels = new Set<(reason: string) => void>()
  const gate = new ExclusiveGate()
  let failures = 0
  let bailed = false
  let taskCount = 0

  const countFailure = () => {
    failures++
    if (options.bail > 0 && failures >= options.bail && !bailed) {
      bailed = true
      for (const cancel of cancels) cancel(`--bail: stopped after ${failures} failure${failures === 1 ? '' : 's'}`)
    }
  }

  const runOne = async (file: string, skipIds: string[]): Promise<void> => {
    const result = results.get(file) ?? { file, durationMs: 0, errors: [], tests: [] }
    results.set(file, result)
    const reported = new Set(skipIds)
    let collected: CollectedTest[] = []
    let running: { id: string; timeoutMs: number } | undefined
    let hung: { id: string; timeoutMs: number } | undefined
    let phase: Phase | undefined
    let hungPhase: Phase | undefined
    let watchdog: ReturnType<typeof setTimeout> | undefined
    const clearWatchdog = () => watchdog !== undefined && clearTimeout(watchdog)
    const armWatchdog = (deadlineMs: number, onFire: () => void) => {
      clearWatchdog()
      watchdog = setTimeout(() => {
        onFire()
        task.kill()
      }, deadlineMs)
    }
    const key = taskCount++
    const reportSynthetic = (meta: CollectedTest, outcome: { state: 'failed'; error: SerializedError; attempts: number } | { state: 'skipped'; reason: string }) => {
      const test = {
        id: meta.id, file, suitePath: meta.suitePath, name: meta.name, fullName: meta.fullName, tags: meta.tags, durationMs: 0, attempts: 0,
        expectFail: meta.expectFail, seed: 0, annotations: [], checks: [], logs: [], location: meta.location, ...outcome,
      } as TestResult
      reported.add(meta.id)
      result.tests.push(test)
      events.onTestResult(test)
    }

    const task = pool.run(options.taskFor(file, skipIds), (batch: WorkerBatch) => {
      for (const event of batch.events) {
        switch (event[0]) {
          case 'collected':
            if (skipIds.length === 0) events.onCollected(file, event[1])
            collected = event[1]
            break
          case 'test-start': {
            const [, id, timeoutMs] = event
            running = { id, timeoutMs }
            armWatchdog(watchdogDeadline(timeoutMs), () => (hung = running))
            events.onTestStart(file, id)
            break
          }
          case 'phase-start': {
            const [, label, deadlineMs, guards, resumable] = event
            phase = { label, deadlineMs, guards, resumable }
            armWatchdog(deadlineMs, () => (hungPhase = phase))
            break
          }
          case 'phase-end':
            phase = undefined
            clearWatchdog()
            break
          case 'test-end': {
            const test = event[1]
            if (running?.id === test.id) {
              running = undefined
              clearWatchdog()
            }
            reported.add(test.id)
            result.tests.push(test)
            if (test.state === 'failed') countFailure()
            events.onTestResult(test)
            gate.onTestEnd(key, test.id)
            break
          }
          case 'exclusive-request':
            gate.onRequest(key, event[1])
            break
          case 'paused':
            gate.onPaused(key, event[1])
            break
          case 'log':
            events.onLog(file, event[1], event[2])
            break
          case 'file-error':
            result.errors.push(event[1])
            countFailure()
            break
        }
      }
    })
    const cancel = (reason: string) => task.control({ type: 'cancel', reason })
    cancels.add(cancel)
    gate.add(key, (message) => task.control(message))
    if (bailed) cancel('--bail')

    try {
      const done = await task.done
      result.durationMs += done.durationMs
      const used = options.memoryMetric === 'heap' ? done.heapUsedBytes : done.rssBytes
      const overLimit = options.memoryLimitBytes !== undefined && used > options.memoryLimitBytes
      if (overLimit || options.recycleEveryFile) await pool.recycle(done.workerId)
      else pool.release(done.workerId)
    } catch (error) {
      if (!(error instanceof WorkerCrash)) throw error
      const stuckIn = hungPhase ?? (running ? undefined : phase)
      if (stuckIn) {
        // The worker died outside a test: blocked (watchdog) or crashed in set-up, import or
        // an all-hook. The tests that hook guards fail with the reason; the file's other
        // tests run on a fresh worker when that is safe (not after set-up or import, which
        // would only fail again).
        const reason = hungPhase
          ? `${stuckIn.label} did not finish within ${stuckIn.deadlineMs} ms (a synchronous loop, or slow top-level work: move it into beforeAll); the worker was terminated`
          : `${stuckIn.label}: ${error.message}`
        const failure: SerializedError = { kind: hungPhase ? 'timeout' : 'crash', name: hungPhase ? 'TimeoutError' : 'WorkerCrash', message: reason }
        const guarded = new Set(stuckIn.guards)
        if (guarded.size === 0) {
          result.errors.push(failure)
          countFailure()
        }
        for (const meta of collected.filter((t) => guarded.has(t.id) && !reported.has(t.id))) {
          reportSynthetic(meta, { state: 'failed', error: { ...failure, location: meta.location }, attempts: 1 })
          countFailure()
        }
        const remaining = collected.filter((t) => !reported.has(t.id))
        if (stuckIn.resumable && remaining.some((t) => t.mode === 'run') && !bailed) {
          queue.unshift({ file, skipIds: [...reported] })
          return
        }
        for (const meta of remaining) reportSynthetic(meta, { state: 'skipped', reason: `not run: ${stuckIn.label} ended the worker` })
        finishFile(file)
        return
      }
      const victim = hung ?? running
      if (victim) {
        const meta = collected.find((t) => t.id === victim.id)
        const crash: SerializedError = hung
          ? {
              kind: 'timeout',
              name: 'TimeoutError',
              message: `test timed out after ${victim.timeoutMs} ms and blocked its worker (synchronous code such as an infinite loop?); the worker was terminated after ${watchdogDeadline(victim.timeoutMs)} ms`,
              location: meta?.location,
            }
          : { kind: 'crash', name: 'WorkerCrash', message: error.message, location: meta?.location }
        const fallback: CollectedTest = { id: victim.id, file, suitePath: [], name: victim.id, fullName: victim.id, tags: [], mode: 'run', expectFail: false, exclusive: false }
        reportSynthetic(meta ?? fallback, { state: 'failed', error: crash, attempts: 1 })
        countFailure()
      } else {
        result.errors.push({ kind: 'crash', name: 'WorkerCrash', message: `${error.message}; the file did not finish` })
        countFailure()
      }
      // Resume the rest of the file on a fresh worker; each attempt reports at least one
      // more test, so this ends.
      const remaining = collected.filter((t) => !reported.has(t.id) && t.mode === 'run')
      if (victim && remaining.length > 0 && !bailed) queue.unshift({ file, skipIds: [...reported] })
      else finishFile(file)
      return
    } finally {
      clearWatchdog()
      cancels.delete(cancel)
      gate.remove(key)
    }
    finishFile(file)
  }

  const finishFile = (file: string) => {
    const result = results.get(file)!
    events.onFileResult(result)
  }

  // Never more tasks than workers: each starts at once, and recycling happens between files.
  const slots = Array.from({ length: Math.min(pool.size, Math.max(files.length, 1)) }, async () => {
    while (queue.length > 0 && !bailed) {
      await gate.whenIdle()
      const next = queue.shift()
      if (!next) break
      await runOne(next.file, next.skipIds)
    }
  })
  await Promise.all(slots)
  // A file whose resume was queued when --bail stopped the run still ends for reporters.
  for (const pending of queue) if (results.has(pending.file)) finishFile(pending.file)
  const notRun = queue.map((q) => q.file).filter((f) => !results.has(f))
  return { files: files.filter((f) => results.has(f)).map((f) => results.get(f)!), notRun }
}
