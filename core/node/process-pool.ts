/**
 * Child processes as workers (`--isolate process`): a native crash (SIGSEGV, SIGFPE in an
 * addon) ends only the child running the file; the pool starts a new one. Children are
 * long-lived like threads and run many files each.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ControlMessage, FileTask, FileTaskReturn, SerializedError, WorkerBatch } from '../protocol.ts'
import { heapLimitSignal } from '../runtime.mjs'
import { cancelledReason } from './interrupt.ts'
import { FIXTURE_TEARDOWN_LIMIT_MS, WorkerCrash, type PoolTask, type WorkerPool } from './worker-pool.ts'

const ENTRY = fileURLToPath(new URL('../worker/process-entry.mjs', import.meta.url))

type ChildMessage =
  | { type: 'ready' }
  | { type: 'events'; batch: WorkerBatch }
  | { type: 'done'; result: FileTaskReturn & { workerId: number } }
  | { type: 'fixtures-torn-down'; errors: SerializedError[] }

interface Child {
  process: ChildProcess
  ready: Promise<void>
  busy: boolean
  onMessage?: (message: ChildMessage) => void
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void
}

export interface ProcessPoolOptions {
  workers: number
  heapLimitMb?: number
  env: NodeJS.ProcessEnv
}

export function createProcessPool(options: ProcessPoolOptions): WorkerPool {
  const children = new Set<Child>()
  let closing = false
  // However the main process ends (a second Ctrl-C exits at once), no child outlives it.
  const killChildren = () => {
    for (const child of children) child.process.kill('SIGKILL')
  }
  process.on('exit', killChildren)

  const spawnChild = (): Child => {
    const execArgv = options.heapLimitMb ? [`--max-old-space-size=${options.heapLimitMb}`] : []
    const proc = fork(ENTRY, [], { execArgv, env: options.env, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    const child: Child = { process: proc, busy: false, ready: Promise.resolve() }
    child.ready = new Promise((resolve, reject) => {
      proc.once('message', (m: ChildMessage) => (m.type === 'ready' ? resolve() : reject(new Error('unexpected first message'))))
      proc.once('exit', (code) => reject(new WorkerCrash(`the worker process exited with code ${code} while starting`, 'exit')))
    })
    child.ready.catch(() => {})
    proc.on('message', (m: ChildMessage) => child.onMessage?.(m))
    proc.on('exit', (code, signal) => {
      children.delete(child)
      child.onExit?.(code, signal)
    })
    children.add(child)
    return child
  }

  /** Asks an idle child to tear down its worker-scoped fixtures; busy meanwhile, so no file is placed on it. */
  const teardownOn = async (child: Child): Promise<SerializedError[]> => {
    child.busy = true
    try {
      await child.ready
      let timer: NodeJS.Timeout | undefined
      return await new Promise<SerializedError[]>((resolve) => {
        child.onMessage = (m) => m.type === 'fixtures-torn-down' && resolve(m.errors)
        // A child that dies meanwhile has no fixtures left to tear down.
        child.onExit = () => resolve([])
        // A teardown that blocks the child's event loop never answers (its own timeout cannot
        // fire): kill the child after the limit, as the thread pool terminates a thread.
        timer = setTimeout(() => {
          child.onExit = undefined
          child.process.kill('SIGKILL')
          resolve([{ kind: 'error', name: 'Error', message: `worker-scoped fixtures of worker process ${child.process.pid} could not tear down: did not finish within ${FIXTURE_TEARDOWN_LIMIT_MS / 1000} s; the process was killed` }])
        }, FIXTURE_TEARDOWN_LIMIT_MS)
        child.process.send({ type: 'teardown-fixtures' })
      }).finally(() => clearTimeout(timer))
    } catch {
      return []
    } finally {
      child.onMessage = child.onExit = undefined
      child.busy = false
    }
  }

  const idleChild = (): Child => [...children].find((c) => !c.busy && c.process.exitCode === null && !c.process.killed) ?? spawnChild()

  return {
    size: options.workers,
    run(task: FileTask, onBatch: (batch: WorkerBatch) => void): PoolTask {
      if (closing) {
        // Watch mode quitting mid-run: no new child; the file ends as not finished.
        const done = Promise.reject(new WorkerCrash('the worker pool was closed', 'killed'))
        return { done, control: () => {}, kill: () => {} }
      }
      const child = idleChild()
      child.busy = true
      let killed = false
      const done = new Promise<FileTaskReturn & { workerId: number }>((resolve, reject) => {
        child.onMessage = (m) => {
          if (m.type === 'events') onBatch(m.batch)
          else if (m.type === 'done') {
            child.busy = false
            child.onMessage = child.onExit = undefined
            resolve(m.result)
          }
        }
        child.onExit = (code, signal) => {
          if (killed) return reject(new WorkerCrash('the worker process was terminated', 'killed'))
          if (signal === 'SIGINT' || signal === 'SIGTERM') return reject(new WorkerCrash(cancelledReason(signal), 'interrupted'))
          if (signal === heapLimitSignal) {
            return reject(new WorkerCrash(`the worker process stopped (${signal}): V8 stops this way when the heap limit is reached (see the V8 "out of memory" lines above); otherwise a native crash`, 'oom'))
          }
          if (signal) {
            return reject(new WorkerCrash(`the worker process was killed by ${signal} (a native crash, e.g. in an addon such as onnxruntime-node)`, 'signal'))
          }
          if (code === 134 || code === 133) {
            return reject(new WorkerCrash(`the worker process ran out of memory or aborted (exit code ${code}) — lower the test's memory use or raise --worker-heap-limit`, 'oom'))
          }
          reject(new WorkerCrash(`the worker process exited with code ${code} (process.exit() called by the test or code it ran)`, 'exit'))
        }
        child.ready.then(() => child.process.send({ type: 'run', task }), reject)
      })
      return {
        done,
        // After `ready`, like the run message itself, so a pause or cancel sent while the
        // child starts is not dropped.
        control: (message: ControlMessage) => {
          void child.ready.then(() => {
            if (child.process.connected) child.process.send({ type: 'control', control: message })
          }, () => {})
        },
        kill() {
          killed = true
          child.process.kill('SIGKILL')
        },
      }
    },
    async teardownWorkerFixtures(workerId?: number) {
      const targets = [...children].filter((c) => (workerId === undefined || c.process.pid === workerId) && !c.busy && c.process.connected)
      return (await Promise.all(targets.map(teardownOn))).flat()
    },
    // Children are only handed a file when idle (see run): nothing to release.
    release() {},
    async recycle(workerId: number) {
      const child = [...children].find((c) => c.process.pid === workerId)
      if (!child || child.busy) return
      const exited = new Promise((resolve) => child.process.once('exit', resolve))
      child.process.kill()
      await exited
    },
    async close() {
      if (closing) return
      closing = true
      process.off('exit', killChildren)
      await Promise.all(
        [...children].map((c) => {
          const exited = new Promise((resolve) => c.process.once('exit', resolve))
          c.process.kill()
          return exited
        }),
      )
    },
  }
}
