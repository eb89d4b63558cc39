/**
 * The work done inside a training worker: load the module that exports the training
 * function, run it once, and package the record (or the error) for the parent thread.
 */
import { importWithoutCollecting } from 'mltest/plugin'
import { runTraining, type RunRecord, type RunSpec, type TrainFn } from './run-training.ts'

export interface WorkerRequest {
  moduleUrl: string
  exportName: string
  spec: RunSpec
}

export type WorkerReply = { ok: true; record: RunRecord } | { ok: false; error: { name: string; message: string; stack?: string } }

/**
 * Imports the module with a throwaway test collector open, so a test file can export its own
 * training function: its `test()` and `describe()` calls are collected and ignored here.
 */
async function loadTrainFn(moduleUrl: string, exportName: string): Promise<TrainFn> {
  const mod = await importWithoutCollecting(moduleUrl)
  const fn = mod[exportName]
  if (typeof fn !== 'function') {
    const found = Object.keys(mod).filter((k) => typeof mod[k] === 'function')
    throw new TypeError(`${moduleUrl} has no exported function "${exportName}" (exported functions: ${found.join(', ') || 'none'})`)
  }
  return fn as TrainFn
}

export async function trainInThisWorker(request: WorkerRequest): Promise<{ message: WorkerReply; transfer: ArrayBuffer[] }> {
  try {
    const train = await loadTrainFn(request.moduleUrl, request.exportName)
    const record = await runTraining(train, request.spec)
    const transfer = [...record.weights.map((w) => w.values.buffer), ...(record.predictions ? [record.predictions.values.buffer] : [])]
    return { message: { ok: true, record }, transfer: transfer as ArrayBuffer[] }
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error))
    return { message: { ok: false, error: { name: e.name, message: e.message, stack: e.stack } }, transfer: [] }
  }
}
