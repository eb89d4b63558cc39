// Entry of the child process that trains one run of checkReproducible with
// isolation: 'separate-processes'. Registers tsx (ESM and CJS) before loading any
// TypeScript, says it is ready, trains once on the request the parent sends, replies and
// leaves.
import { register as registerCjs } from 'tsx/cjs/api'
import { register } from 'tsx/esm/api'

register()
registerCjs()
const { trainInThisWorker } = await import('./worker-task.ts')
process.once('message', async (request) => {
  const { message } = await trainInThisWorker(request)
  process.send(message, () => process.disconnect())
})
process.send('ready')
