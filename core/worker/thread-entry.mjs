// Piscina worker entry. tsx's hooks are not inherited by worker threads on Node 20, so each
// worker makes TypeScript loadable (core/runtime.mjs) before loading any (ours or the user's).
import { threadId } from 'node:worker_threads'
import { loadTypeScript } from '../runtime.mjs'

await loadTypeScript()
const { runTestFileInWorker } = await import('./run-file.ts')
const { teardownWorkerFixtures } = await import('./fixtures.ts')
// `mltest run --coverage` (core/worker/coverage.ts): loaded only then.
const coverage = process.env.MLTEST_COVERAGE_DIR ? await import('./coverage.ts') : undefined
await coverage?.startWorkerCoverage()

/** Run by name before the pool ends this thread: its worker-scoped fixtures tear down. */
export async function teardownFixtures() {
  const errors = await teardownWorkerFixtures()
  await coverage?.writeWorkerCoverage()
  return errors
}

/** @param {{ task: import('../protocol.ts').FileTask, port: import('node:worker_threads').MessagePort }} message */
export default async function runTask({ task, port }) {
  const result = await runTestFileInWorker(task, {
    post: (batch) => port.postMessage(batch),
    onControl: (listener) => port.on('message', listener),
  })
  await coverage?.writeWorkerCoverage()
  // Messages on the port and piscina's reply are not ordered: the final marker tells the
  // main thread every batch has arrived.
  port.postMessage({ events: [], final: true })
  port.close()
  return { ...result, workerId: threadId }
}
