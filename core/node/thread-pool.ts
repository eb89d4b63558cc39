/**
 * Worker threads through piscina. Workers are long-lived and share their module cache
 * across files (tfjs or onnxruntime load once per worker). `--isolate file` is the
 * scheduler recycling the worker after each file.
 */
import { MessageChannel } from 'node:worker_threads'
import { Piscina } from 'piscina'
import type { ControlMessage, FileTask, FileTaskReturn, SerializedError, WorkerBatch } from '../protocol.ts'
import { FIXTURE_TEARDOWN_LIMIT_MS, WorkerCrash, type PoolTask, type WorkerPool } from './worker-pool.ts'

const ENTRY = new URL('../worker/thread-entry.mjs', import.meta.url).href
/** Beyond the worker's own 60 s per fixture: a thread that does not answer by then is reported, not waited for. */


export interface ThreadPoolOptions {
  workers: number
  heapLimitMb?: number
  env: NodeJS.ProcessEnv
}

function crashOf(error: unknown, killed: boolean, heapLimitMb?: number): WorkerCrash {
  if (killed) return new WorkerCrash('the worker was terminated', 'killed')
  const e = error as { code?: string; message?: string }
  if (e?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    const limit = heapLimitMb ? `${heapLimitMb} MB` : 'the default limit'
    return new WorkerCrash(`the worker ran out of memory (V8 heap limit ${limit}) — lower the test's memory use or raise --worker-heap-limit`, 'oom')
  }
  const exit = /worker exited with code: (\d+)/.exec(e?.message ?? '')
  if (exit) return new WorkerCrash(`the worker exited with code ${exit[1]} (process.exit() called by the test or code it ran)`, 'exit')
  return new WorkerCrash(`the worker failed: ${e?.message ?? String(error)}`, 'error')
}

export function createThreadPool(options: ThreadPoolOptions): WorkerPool {
  // Threads leased to a file: from the moment a task is placed on a thread until the
  // scheduler has decided, after the file, to keep the thread (`release`) or replace it
  // (`recycle`). piscina hands queued work to a thread as soon as its task ends, before our
  // code runs; the lease keeps it from placing a file on a thread about to be terminated.
  const leased = new Set<number>()
  const piscina = new Piscina({
    filename: ENTRY,
    minThreads: options.workers,
    maxThreads: options.workers,
    idleTimeout: 2 ** 31 - 1,
    env: options.env,
    resourceLimits: options.heapLimitMb ? { maxOldGenerationSizeMb: options.heapLimitMb } : undefined,
    loadBalancer: (task, workers) => {
      // A fixture teardown goes to the thread it names (leased or not: it is idle, between files).
      const target = (task[Piscina.queueOptionsSymbol as keyof typeof task] as { mltestThread?: number } | null)?.mltestThread
      if (target !== undefined) return workers.find((w) => w.id === target && w.currentUsage === 0 && !w.terminating && !w.destroyed) ?? null
      const free = workers.find((w) => w.currentUsage === 0 && !w.terminating && !w.destroyed && !leased.has(w.id)) ?? null
      if (free) leased.add(free.id)
      return free
    },
  })

  /** Runs the thread entry's `teardownFixtures` on thread `id`; a thread that cannot do it in time is reported. */
  const teardownOn = async (id: number): Promise<SerializedError[]> => {
    const abort = new AbortController()
    const timer = setTimeout(() => abort.abort(), FIXTURE_TEARDOWN_LIMIT_MS)
    try {
      return (await piscina.run({ [Piscina.queueOptionsSymbol]: { mltestThread: id } }, { name: 'teardownFixtures', signal: abort.signal })) as SerializedError[]
    } catch (error) {
      const message = abort.signal.aborted ? `did not finish within ${FIXTURE_TEARDOWN_LIMIT_MS / 1000} s` : String((error as Error)?.message ?? error)
      return [{ kind: 'error', name: 'Error', message: `worker-scoped fixtures of worker thread ${id} could not tear down: ${message}` }]
    } finally {
      clearTimeout(timer)
    }
  }

  return {
    size: options.workers,
    run(task: FileTask, onBatch: (batch: WorkerBatch) => void): PoolTask {
      const { port1, port2 } = new MessageChannel()
      let markFinal = () => {}
      const allBatches = new Promise<void>((resolve) => (markFinal = resolve))
      port1.on('message', (batch: WorkerBatch) => {
        if (batch.events.length > 0) onBatch(batch)
        if (batch.final) markFinal()
      })
      const abort = new AbortController()
      let killed = false
      const done = piscina
        .run({ task, port: port2 }, { transferList: [port2], signal: abort.signal })
        .then(
          async (result: FileTaskReturn & { workerId: number }) => {
            await allBatches
            return result
          },
          async (error: unknown) => {
            // Batches the worker posted before it died may still be queued on the port.
            await new Promise((resolve) => setImmediate(resolve))
            throw crashOf(error, killed, options.heapLimitMb)
          },
        )
        .finally(() => port1.close())
      return {
        done,
        control: (message: ControlMessage) => port1.postMessage(message),
        kill() {
          killed = true
          abort.abort()
        },
      }
    },
    release(workerId: number) {
      leased.delete(workerId)
    },
    async teardownWorkerFixtures(workerId?: number) {
      const ids = workerId === undefined ? piscina.threads.map((t) => t.threadId) : [workerId]
      const errors = await Promise.all(ids.map((id) => teardownOn(id)))
      return errors.flat()
    },
    async recycle(workerId: number) {
      const thread = piscina.threads.find((t) => t.threadId === workerId)
      if (thread) await thread.terminate()
      leased.delete(workerId)
    },
    async close() {
      await piscina.destroy()
    },
  }
}
