/**
 * The plugins registered on this side of the thread boundary (each worker registers its own), for library code that asks them something
 * (first-result hooks) from inside a test.
 */
import type { RegisteredPlugin } from './hooks.ts'
import { callFirst } from './plugin-host.ts'

let registered: RegisteredPlugin[] = []

export function setWorkerPlugins(plugins: RegisteredPlugin[]): void {
  registered = plugins
}

export function workerPlugins(): RegisteredPlugin[] {
  return registered
}

/**
 * Resolves a model reference (e.g. `zoo:mnist`) through the plugins' `resolveModel` hooks;
 * the first answer wins, and a reference no plugin claims is returned unchanged (a path).
 */
export async function resolveModelRef(ref: string): Promise<string> {
  return (await callFirst<'resolveModel', string>(registered, 'resolveModel', ref)) ?? ref
}
