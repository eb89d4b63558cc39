/**
 * Runs one training run in a fresh child process (`isolation: 'separate-processes'`) and
 * returns its record. The child says it is ready before it gets the request (IPC messages sent
 * before a listener exists are lost). A process isolates more than a worker thread does: process-wide state
 * (environment variables changed at import, native addons such as tfjs-node with their own
 * thread pools, `process.cwd()`, globals patched by preloaded modules) starts fresh too.
 * The record crosses back over IPC with the structured-clone serialisation, so typed arrays
 * keep their bits; the child's output is forwarded like a worker thread's.
 */
import { fork } from 'node:child_process'
import type { RunRecord, RunSpec } from './run-training.ts'
import { forward, moduleUrlOf, runOutcome, type TrainModuleRef } from './worker-run.ts'
import type { WorkerReply, WorkerRequest } from './worker-task.ts'

export function runInChildProcess(ref: TrainModuleRef, spec: RunSpec, signal?: AbortSignal): Promise<RunRecord> {
  const request: WorkerRequest = { moduleUrl: moduleUrlOf(ref), exportName: ref.export, spec }
  if (signal?.aborted) return Promise.reject(new Error(`run ${spec.run} not started: ${String(signal.reason)}`))
  const child = fork(new URL('./train-process.mjs', import.meta.url), [], { serialization: 'advanced', stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
  forward(child.stdout!, (line) => console.log(line))
  forward(child.stderr!, (line) => console.error(line))
  const outcome = runOutcome(spec, `backend ${spec.backend}, separate process ${child.pid ?? '?'}`, signal, () => {
    if (child.exitCode === null) child.kill()
  })
  child.on('message', (reply: WorkerReply | 'ready') => (reply === 'ready' ? void child.send(request) : outcome.reply(reply)))
  child.once('error', (error) => outcome.fail(`the process could not run: ${error.message}`, error))
  child.once('exit', (code, sig) => outcome.fail(`the process exited (${sig ?? `code ${code}`}) before reporting`))
  return outcome.promise
}
