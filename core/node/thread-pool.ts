/**
 * Worker threads through piscina. Workers are long-lived and share their module cache
 * across files (tfjs or onnxruntime load once per worker). `--isolate file` is the
 * scheduler recycling the worker after each file.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { Piscina } from 'piscina'
import type { ControlMessage, FileTask, FileTaskReturn, WorkerBatch } from '../protocol.ts'
import { WorkerCrash, type PoolTask, type WorkerPool } from './worker-pool.ts'

const ENTRY = new URL('../worker/thread-entry.mjs', import.meta.url).href

/** A task lost to a recycle before it started: run it again. */
class Resubmit extends Error {}

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
  const piscina = new Piscina({
    filename: ENTRY,
    minThreads: options.workers,
    maxThreads: options.workers,
    idleTimeout: 2 ** 31 - 1,
    env: options.env,
    resourceLimits: options.heapLimitMb ? { maxOldGenerationSizeMb: options.heapLimitMb } : undefined,
  })
  // Counts recycles: a task that dies without a word while one happened may have been
  // handed the very thread being recycled (piscina marks a thread idle before the scheduler
  // decides to recycle it), so it is submitted again rather than reported as a crash.
  let recycles = 0
  const MAX_RESUBMITS = 3
  // A thread being terminated still looks idle to piscina until it has exited: no task may
  // be submitted meanwhile.
  let terminating: Promise<unknown> = Promise.resolve()

  return {
    size: options.workers,
    run(task: FileTask, onBatch: (batch: WorkerBatch) => void): PoolTask {
      let port: MessagePort | undefined
      const controls: ControlMessage[] = []
      let abort = new AbortController()
      let killed = false

      const runOnce = async (): Promise<FileTaskReturn & { workerId: number }> => {
        await terminating
        const { port1, port2 } = new MessageChannel()
        port = port1
        for (const message of controls) port1.postMessage(message)
        abort = new AbortController()
        const recyclesBefore = recycles
        let heardFrom = false
        let markFinal = () => {}
        const allBatches = new Promise<void>((resolve) => (markFinal = resolve))
        port1.on('message', (batch: WorkerBatch) => {
          heardFrom = true
          if (batch.events.length > 0) onBatch(batch)
          if (batch.final) markFinal()
        })
        return piscina
          .run({ task, port: port2 }, { transferList: [port2], signal: abort.signal })
          .then(
            async (result: FileTaskReturn & { workerId: number }) => {
              await allBatches
              return result
            },
            async (error: unknown) => {
              // Batches the worker posted before it died may still be queued on the port.
              await new Promise((resolve) => setImmediate(resolve))
              if (!killed && !heardFrom && recycles !== recyclesBefore) throw new Resubmit()
              throw crashOf(error, killed, options.heapLimitMb)
            },
          )
          .finally(() => port1.close())
      }

      const done = (async () => {
        for (let attempt = 0; ; attempt++) {
          try {
            return await runOnce()
          } catch (error) {
            if (!(error instanceof Resubmit)) throw error
            if (attempt >= MAX_RESUBMITS) throw new WorkerCrash('the worker was replaced before the file could start, several times over', 'error')
          }
        }
      })()
      return {
        done,
        // Kept: a task submitted again (or not yet on a thread) gets every message so far.
        control: (message: ControlMessage) => {
          controls.push(message)
          port?.postMessage(message)
        },
        kill() {
          killed = true
          abort.abort()
        },
      }
    },
    async recycle(workerId: number) {
      const thread = piscina.threads.find((t) => t.threadId === workerId)
      if (!thread) return
      recycles++
      const exited = thread.terminate()
      terminating = Promise.all([terminating, exited.catch(() => undefined)])
      await exited
    },
    async close() {
      await piscina.destroy()
    },
  }
}
