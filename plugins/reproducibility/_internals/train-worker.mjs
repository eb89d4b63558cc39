// Entry of the worker thread that trains one run of checkReproducible. A fresh thread has
// its own module graph, tfjs engine and Math.random state, which is the point of the
// isolation. TypeScript loads natively on Deno; on Node 20 tsx's hooks are not inherited
// by worker threads, so mltest/runtime registers them before any TypeScript loads.
import { parentPort, workerData } from 'node:worker_threads'
import { loadTypeScript } from 'mltest/runtime'

await loadTypeScript()
const { trainInThisWorker } = await import('./worker-task.ts')
const { message, transfer } = await trainInThisWorker(workerData)
parentPort.postMessage(message, transfer)
