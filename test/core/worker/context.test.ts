// What code inside a running test reaches, in-process: the test context `t` and console
// capture (context.ts), the running-test store checks record on (../running-test.ts), and
// lazily loaded optional dependencies (../optional-dependency.ts), on real files and real tfjs.
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import t from 'tap'
import { importOptional, silenceTfjsCpuBanner } from '../../../core/optional-dependency.ts'
import type { CollectedTest, LogEntry } from '../../../core/protocol.ts'
import { annotate, currentTest, recordCheck, running } from '../../../core/running-test.ts'
import { createRng } from '../../../core/seed.ts'
import { captureConsole, createRunningTest, removeTmpdirs, runWithTest } from '../../../core/worker/context.ts'

const collected: CollectedTest = {
  id: 'a.mltest.ts::model > fits', file: '/project/a.mltest.ts', suitePath: ['model'], name: 'fits', fullName: 'model > fits',
  tags: [], mode: 'run', expectFail: false, exclusive: false,
}

function runningTest(emitted: LogEntry[] = [], extra: Record<string, unknown> = {}) {
  return createRunningTest(collected, 1234, 42, 2, (entry) => emitted.push(entry), extra)
}

t.test('the test context: identity, seeds, signal and plugin fields', async (t) => {
  const test = runningTest([], { gpu: 'none', name: 'a plugin cannot rename the test' })
  const ctx = test.context
  t.match(ctx, { name: 'fits', fullName: 'model > fits', file: '/project/a.mltest.ts', seed: 1234, runSeed: 42, attempt: 2, gpu: 'none' })
  const rng = createRng(1234)
  t.same([ctx.rng.next(), ctx.rng.next()], [rng.next(), rng.next()], 't.rng is seeded with the test seed')
  t.notOk(ctx.signal.aborted)
  test.controller.abort(new Error('test timed out'))
  t.ok(ctx.signal.aborted, 't.signal is the controller the runner aborts on timeout')
})

t.test('t.log, t.annotate and t.tmpdir', async (t) => {
  const emitted: LogEntry[] = []
  const test = runningTest(emitted)
  test.context.log('%d items in', 3, { batch: 'a' })
  t.same(test.logs, [{ stream: 'stdout', text: "3 items in { batch: 'a' }\n" }], 'formatted like console.log')
  t.same(emitted, test.logs, 'and streamed')

  test.context.annotate('accuracy', 0.93)
  test.context.annotate('model', 'mlp')
  test.context.annotate('ok', true)
  test.context.annotate('missing', null)
  t.same(test.annotations, [{ key: 'accuracy', value: 0.93 }, { key: 'model', value: 'mlp' }, { key: 'ok', value: true }, { key: 'missing', value: null }])
  t.throws(() => test.context.annotate('', 1), { name: 'TypeError', message: 't.annotate(key, value): key must be a non-empty string' })
  t.throws(() => test.context.annotate(7 as unknown as string, 1), { name: 'TypeError', message: 't.annotate(key, value): key must be a non-empty string' })
  t.throws(() => test.context.annotate('weights', [1, 2] as never), { name: 'TypeError', message: 't.annotate("weights", value): value must be a string, number, boolean or null, got object' })
  t.throws(() => test.context.annotate('later', undefined as never), { message: /got undefined$/ })
  t.equal(test.annotations.length, 4, 'a refused annotation is not kept')

  const a = test.context.tmpdir()
  const b = test.context.tmpdir()
  t.not(a, b, 'a fresh folder each call')
  t.ok(statSync(a).isDirectory() && statSync(b).isDirectory())
  writeFileSync(join(a, 'weights.bin'), 'x')
  t.same(test.tmpdirs, [a, b])
  removeTmpdirs(test)
  t.notOk(existsSync(a) || existsSync(b), 'removed after the test, contents included')
  t.same(test.tmpdirs, [])
})

t.test('the running-test store: reachable through awaits, empty outside a test', async (t) => {
  t.equal(running(), undefined)
  t.equal(currentTest(), undefined)
  recordCheck({ check: 'outside', practice: 'x', verdict: 'pass', metrics: {} })
  annotate('outside', 1)
  const test = runningTest()
  const other = createRunningTest({ ...collected, name: 'other' }, 1, 1, 1, () => {}, {})
  const seen = await runWithTest(test, async () => {
    await new Promise((resolve) => setTimeout(resolve, 5))
    recordCheck({ check: 'checkStability', practice: 'numerical-stability', verdict: 'pass', metrics: { runs: 10 } })
    annotate('runs', 10)
    const inner = runWithTest(other, () => currentTest()?.name)
    return [currentTest()?.name, inner]
  })
  t.same(seen, ['fits', 'other'], 'the store follows async work; a nested run sees its own test')
  t.same(test.checks, [{ check: 'checkStability', practice: 'numerical-stability', verdict: 'pass', metrics: { runs: 10 } }])
  t.same(test.annotations, [{ key: 'runs', value: 10 }])
  t.same(other.checks, [])
  t.equal(currentTest(), undefined, 'outside again')

  // A second copy of the module (a linked install) shares the store through globalThis.
  const copy = (await import(new URL('../../../core/running-test.ts?second-copy', import.meta.url).href)) as typeof import('../../../core/running-test.ts')
  t.not(copy.currentTest, currentTest, 'a distinct module instance')
  t.equal(runWithTest(test, () => copy.currentTest()?.fullName), 'model > fits')
})

t.test('captureConsole routes console output to the running test, or to the file', async (t) => {
  const methods = ['log', 'info', 'debug', 'warn', 'error', 'trace'] as const
  const original = Object.fromEntries(methods.map((m) => [m, console[m]]))
  t.teardown(() => Object.assign(console, original))
  const fileLogs: LogEntry[] = []
  const emitted: LogEntry[] = []
  captureConsole((entry) => fileLogs.push(entry))
  const test = runningTest(emitted)
  console.log('top level %s', 'code')
  runWithTest(test, () => {
    console.log('in test', 1)
    console.info('info')
    console.warn('careful')
    console.error(new Error('shown').message)
  })
  console.error('after')
  Object.assign(console, original)
  t.same(fileLogs, [{ stream: 'stdout', text: 'top level code\n' }, { stream: 'stderr', text: 'after\n' }])
  t.same(test.logs, [
    { stream: 'stdout', text: 'in test 1\n' },
    { stream: 'stdout', text: 'info\n' },
    { stream: 'stderr', text: 'careful\n' },
    { stream: 'stderr', text: 'shown\n' },
  ])
  t.same(emitted, test.logs)
})

t.test('importOptional: the module, or one line saying what to install', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mltest-optional-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const url = (name: string, source: string) => {
    writeFileSync(join(dir, name), source)
    return pathToFileURL(join(dir, name)).href
  }
  const path = await importOptional<typeof import('node:path')>('node:path', 'x')
  t.equal(path.join('a', 'b'), join('a', 'b'))

  const missing = (await importOptional('mltest-no-such-package', 'mltest/onnx').catch((e: unknown) => e)) as Error & { cause: { code: string } }
  t.equal(missing.message, 'install mltest-no-such-package to use mltest/onnx: npm install --save-dev mltest-no-such-package')
  t.match(missing.cause, { message: /Cannot find package 'mltest-no-such-package'/ }, 'the resolver error is kept as the cause')
  const hinted = (await importOptional('mltest-no-such-package', { feature: 'checkLabels', installHint: 'pnpm add -D mltest-no-such-package' }).catch((e: unknown) => e)) as Error
  t.equal(hinted.message, 'install mltest-no-such-package to use checkLabels: pnpm add -D mltest-no-such-package', 'an install hint of the caller replaces the default')

  const broken = url('broken.mjs', "throw new Error('native binding not found\\nsecond line')\n")
  await t.rejects(importOptional(broken, 'mltest/onnx'), { message: `${broken} is installed but failed to load (native binding not found) — reinstall it for this platform: npm rebuild ${broken}` })
  const brokenDependency = url('needs-dep.mjs', "import 'mltest-no-such-dependency'\n")
  await t.rejects(importOptional(brokenDependency, 'mltest/onnx'), { message: /is installed but failed to load \(Cannot find package 'mltest-no-such-dependency'/ }, 'a missing dependency of the package is not "install the package"')

  // CommonJS whose exports the ESM loader cannot see by name arrive on `default` only.
  const cjs = url('runtime.cjs', 'module.exports = Object.assign({}, { InferenceSession: 1 })\n')
  const unwrapped = await importOptional<{ InferenceSession?: number }>(cjs, 'x', 'InferenceSession')
  t.equal(unwrapped.InferenceSession, 1, 'unwrapped from default')
  const namespace = await importOptional<{ default: unknown; InferenceSession?: number }>(cjs, 'x')
  t.equal(namespace.InferenceSession, undefined, 'without unwrapKey: the namespace as it is')
  const named = await importOptional<{ InferenceSession: number }>(url('named.mjs', 'export const InferenceSession = 2\nexport default { InferenceSession: 3 }\n'), 'x', 'InferenceSession')
  t.equal(named.InferenceSession, 2, 'a namespace that has the key is not unwrapped')
})

t.test("silenceTfjsCpuBanner: real tfjs's CPU backend prints no install banner", async (t) => {
  const tf = await import('@tensorflow/tfjs')
  await tf.setBackend('cpu')
  silenceTfjsCpuBanner(tf)
  const warned: string[] = []
  const warn = console.warn
  const log = console.log
  console.warn = (...args: unknown[]) => void warned.push(args.join(' '))
  console.log = (...args: unknown[]) => void warned.push(args.join(' '))
  try {
    tf.tensor1d([1, 2, 3]).dispose()
  } finally {
    console.warn = warn
    console.log = log
  }
  t.same(warned.filter((w) => w.includes('looks like you are running TensorFlow.js')), [])
})
