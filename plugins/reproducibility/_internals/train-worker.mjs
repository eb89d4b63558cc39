// Entry of the worker thread that trains one run of checkReproducible. A fresh thread has
// its own module graph, tfjs engine and Math.random state, which is the point of the
// isolation. tsx's hooks are not inherited by worker threads on Node 20, so register them
// (ESM and CJS) before loading any TypeScript.
import { parentPort, workerData } from 'node:worker_threads'
import { register as registerCjs } from 'tsx/cjs/api'
import { register } from 'tsx/esm/api'

register()
registerCjs()
const { trainInThisWorker } = await import('./worker-task.ts')
const { message, transfer } = await trainInThisWorker(workerData)
parentPort.postMessage(message, transfer)
