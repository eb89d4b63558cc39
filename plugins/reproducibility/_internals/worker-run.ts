/**
 * Runs one training run in a fresh worker thread and returns its record. The worker's output
 * is forwarded to this thread's console, so mltest attributes it to the running test.
 */
import { isAbsolute } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { RunRecord, RunSpec } from './run-training.ts'
import type { WorkerReply, WorkerRequest } from './worker-task.ts'

/** Where a training function lives, so another thread can import it. */
export interface TrainModuleRef {
  /** A file URL or absolute path — usually `import.meta.url` or `new URL('./train.ts', import.meta.url)`. */
  module: string | URL
  /** Name of the exported training function. */
  export: string
}

export function isTrainModuleRef(value: unknown): value is TrainModuleRef {
  const v = value as Partial<TrainModuleRef> | null
  return typeof v === 'object' && v !== null && (typeof v.module === 'string' || v.module instanceof URL) && typeof v.export === 'string'
}

export function moduleUrlOf(ref: TrainModuleRef): string {
  const m = ref.module
  if (m instanceof URL) return m.href
  if (m.startsWith('file:')) return m
  if (isAbsolute(m)) return pathToFileURL(m).href
  throw new TypeError(`checkReproducible: module "${m}" must be a file URL or an absolute path — use import.meta.url or new URL('./train.ts', import.meta.url)`)
}

/**
 * tfjs greets every fresh engine on Node with a banner suggesting tfjs-node (a blank line,
 * a rule, the greeting, a rule). One per run worker buries the test's own output, so exactly
 * that sequence is dropped; any other line passes through unchanged.
 */
function withoutTfjsBanner(write: (line: string) => void): { line(text: string): void; end(): void } {
  const rule = /^=+\s*$/
  let pending: string[] = []
  let greeted = false
  const flush = () => {
    for (const text of pending) write(text)
    pending = []
    greeted = false
  }
  return {
    line(text) {
      if (!greeted && /^Hi, looks like you are running TensorFlow\.js in Node\.js/.test(text) && pending.some((p) => rule.test(p))) {
        pending.push(text)
        greeted = true
      } else if (greeted && rule.test(text)) {
        pending = []
        greeted = false
      } else if (!greeted && (text.trim() === '' || rule.test(text))) pending.push(text)
      else (flush(), write(text))
    },
    end: flush,
  }
}

/** Forwards a worker or child-process stream line by line, one console call per chunk (one log entry, not one per line). */
export function forward(stream: NodeJS.ReadableStream, write: (text: string) => void): void {
  const ready: string[] = []
  const out = withoutTfjsBanner((line) => ready.push(line))
  const flush = () => ready.length > 0 && write(ready.splice(0).join('\n'))
  let buffered = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => {
    buffered += chunk
    const lines = buffered.split('\n')
    buffered = lines.pop()!
    for (const line of lines) out.line(line)
    flush()
  })
  stream.on('end', () => {
    if (buffered) out.line(buffered)
    out.end()
    flush()
  })
}

/** How one run ends: its reply, or a failure (crash, early exit, the test's abort). */
export interface RunOutcome {
  promise: Promise<RunRecord>
  reply(reply: WorkerReply): void
  fail(message: string, cause?: unknown): void
}

/**
 * The settle-once plumbing both isolations share: whichever comes first — the reply, a crash,
 * an early exit or the test's abort — ends the run, and `stop` then ends its thread or
 * process (a timer or handle the training code left open must not keep it alive).
 */
export function runOutcome(spec: RunSpec, where: string, signal: AbortSignal | undefined, stop: () => void): RunOutcome {
  let resolve!: (record: RunRecord) => void
  let reject!: (error: Error) => void
  const promise = new Promise<RunRecord>((res, rej) => ((resolve = res), (reject = rej)))
  let settled = false
  const settle = (fn: () => void) => {
    if (settled) return
    settled = true
    signal?.removeEventListener('abort', abort)
    fn()
    stop()
  }
  const abort = () => settle(() => reject(new Error(`run ${spec.run} aborted: ${String(signal?.reason ?? 'the test was cancelled')}`)))
  signal?.addEventListener('abort', abort, { once: true })
  return {
    promise,
    reply: (reply) =>
      settle(() => {
        if (reply.ok) return resolve(reply.record)
        const error = new Error(`run ${spec.run} (${where}) failed: ${reply.error.message}`)
        error.stack = `${error.name}: ${error.message}\n${reply.error.stack?.split('\n').slice(1).join('\n') ?? ''}`
        reject(error)
      }),
    fail: (message, cause) => settle(() => reject(new Error(`run ${spec.run} (${where}): ${message}`, cause === undefined ? undefined : { cause }))),
  }
}

export function runInWorkerThread(ref: TrainModuleRef, spec: RunSpec, signal?: AbortSignal): Promise<RunRecord> {
  const request: WorkerRequest = { moduleUrl: moduleUrlOf(ref), exportName: ref.export, spec }
  if (signal?.aborted) return Promise.reject(new Error(`run ${spec.run} not started: ${String(signal.reason)}`))
  const worker = new Worker(new URL('./train-worker.mjs', import.meta.url), { workerData: request, stdout: true, stderr: true })
  forward(worker.stdout, (line) => console.log(line))
  forward(worker.stderr, (line) => console.error(line))
  const outcome = runOutcome(spec, `backend ${spec.backend}, worker thread`, signal, () => void worker.terminate())
  worker.once('message', (reply: WorkerReply) => outcome.reply(reply))
  worker.once('error', (error) => outcome.fail(`the worker thread crashed: ${error.message}`, error))
  worker.once('exit', (code) => outcome.fail(`the worker thread exited with code ${code} before reporting`))
  return outcome.promise
}
