// Child-process worker entry for `--isolate process`: the same runner as a thread worker,
// speaking over the IPC channel, so a native crash (SIGSEGV in an addon) ends only this
// process and fails only its file.
import { loadTypeScript } from '../runtime.mjs'

await loadTypeScript()
const { runTestFileInWorker } = await import('./run-file.ts')
const { teardownWorkerFixtures } = await import('./fixtures.ts')
// `mltest run --coverage` (core/worker/coverage.ts): loaded only then.
const coverage = process.env.MLTEST_COVERAGE_DIR ? await import('./coverage.ts') : undefined
await coverage?.startWorkerCoverage()

let controlListener = () => {}
process.on('message', async (message) => {
  if (message.type === 'control') return controlListener(message.control)
  // Before the pool ends this process: its worker-scoped fixtures tear down.
  if (message.type === 'teardown-fixtures') {
    const errors = await teardownWorkerFixtures()
    await coverage?.writeWorkerCoverage()
    return process.send({ type: 'fixtures-torn-down', errors })
  }
  if (message.type !== 'run') return
  const result = await runTestFileInWorker(message.task, {
    post: (batch) => process.send({ type: 'events', batch }),
    onControl: (listener) => (controlListener = listener),
  })
  controlListener = () => {}
  await coverage?.writeWorkerCoverage()
  process.send({ type: 'done', result: { ...result, workerId: process.pid } })
})
process.send({ type: 'ready' })
