// Entry of the child process that trains one run of checkReproducible with
// isolation: 'separate-processes'. Makes TypeScript loadable (mltest/runtime: natively on
// Deno, tsx on Node) before loading any, says it is ready, trains once on the request the
// parent sends, replies and leaves.
import { loadTypeScript } from 'mltest/runtime'

await loadTypeScript()
const { trainInThisWorker } = await import('./worker-task.ts')
process.once('message', async (request) => {
  const { message } = await trainInThisWorker(request)
  process.send(message, () => process.disconnect())
})
process.send('ready')
