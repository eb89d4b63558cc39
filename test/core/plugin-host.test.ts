// The plugin host (core/plugin-host.ts) and plugin options (core/plugin-options.ts,
// core/options/*): registration, per-hook order, the three hook kinds, option schemas turned
// into flags, validation messages, and check-option validation.
import t from 'tap'
import { z } from 'zod'
import type { Plugin } from '../../core/hooks.ts'
import { parseCheckOptions } from '../../core/options/check-options.ts'
import { closest } from '../../core/options/describe-issue.ts'
import { callFirst, callNotify, composeWrappers, PluginError, pluginsFor, registerPlugins } from '../../core/plugin-host.ts'
import { optionFields, pluginOptions, setPluginOptions } from '../../core/plugin-options.ts'
import { summarize } from '../../core/summary.ts'

t.test('registration validates plugin objects', async (t) => {
  t.throws(() => registerPlugins([{ name: 'x', onTestStrat() {} }]), /plugin "x" has an unknown hook "onTestStrat"/)
  t.throws(() => registerPlugins([{}]), /has no "name"/)
  t.throws(() => registerPlugins([() => ({})]), /not a plugin object/)
  t.throws(() => registerPlugins([{ name: 'a' }, { name: 'a' }]), /two plugins are named "a"/)
  t.throws(() => registerPlugins([{ name: 'a', onRunEnd: 3 }]), /hook "onRunEnd" must be a function or \{ order/)
  t.throws(() => registerPlugins([{ name: 'a', onRunEnd: { order: 'first', handler() {} } }]), /order "first" — use 'pre' or 'post'/)
  t.throws(() => registerPlugins([{ name: 'a', options: [{ name: 'runs', type: 'number' }] }]), /options must be a zod object schema/)
  t.throws(() => registerPlugins([{ name: 'a', commands: [{ name: 'Bad Name', run() {} }] }]), /kebab-case name and a run function/)
  t.same(registerPlugins([{ name: 'b' }, { name: 'a', enforce: 'pre' }]).map((p) => p.name), ['b', 'a'], 'registration order is kept')
})

t.test('order is decided per hook: a hook object overrides enforce for that hook only', async (t) => {
  const calls: string[] = []
  const log = (name: string) => () => void calls.push(name)
  const plugins = registerPlugins([
    { name: 'post', enforce: 'post', onRunStart: log('post'), onRunEnd: log('post') },
    { name: 'normal', onRunStart: log('normal'), onRunEnd: log('normal') },
    { name: 'pre', enforce: 'pre', onRunStart: log('pre'), onRunEnd: { order: 'post', handler: log('pre') } },
    // Implementing wrapTest does not move a plugin ahead in other hooks.
    { name: 'wrapper', wrapTest: (next: () => Promise<void>) => next(), onRunStart: log('wrapper'), onRunEnd: log('wrapper') },
  ] as Plugin[])
  await callNotify(plugins, 'onRunStart', { rootDir: '/', seed: 1, files: [] })
  t.same(calls, ['pre', 'normal', 'wrapper', 'post'])
  calls.length = 0
  await callNotify(plugins, 'onRunEnd', [], summarize([], 0))
  t.same(calls, ['normal', 'wrapper', 'post', 'pre'], "pre's onRunEnd runs last (its own order: 'post'), after the enforce: 'post' plugin by registration")
  t.same(pluginsFor(plugins, 'wrapTest').map((p) => p.name), ['wrapper'])
})

t.test('an ordered hook keeps `this` as the plugin', async (t) => {
  let seen: unknown
  const plugins = registerPlugins([{ name: 'self', onRunStart: { order: 'pre', handler(this: { name: string }) { seen = this.name } } }] as Plugin[])
  await callNotify(plugins, 'onRunStart', { rootDir: '/', seed: 1, files: [] })
  t.equal(seen, 'self')
})

t.test('hook kinds: notify, first-result, wrap', async (t) => {
  const calls: string[] = []
  const plugins = registerPlugins([
    { name: 'a', onRunStart: () => void calls.push('a'), resolveModel: () => undefined },
    { name: 'b', onRunStart: () => void calls.push('b'), resolveModel: (ref: string) => `/models/${ref}` },
    { name: 'c', resolveModel: () => '/never' },
    { name: 'd', resolveModel: { order: 'pre', handler: (ref: string) => (ref === 'zoo:x' ? '/zoo/x' : undefined) } },
  ] as Plugin[])
  await callNotify(plugins, 'onRunStart', { rootDir: '/', seed: 1, files: [] })
  t.same(calls, ['a', 'b'])
  t.equal(await callFirst(plugins, 'resolveModel', 'mnist'), '/models/mnist')
  t.equal(await callFirst(plugins, 'resolveModel', 'zoo:x'), '/zoo/x', 'the pre hook is asked first')
  const broken = registerPlugins([{ name: 'broken', onRunEnd: () => { throw new Error('disk full') } }])
  await t.rejects(callNotify(broken, 'onRunEnd', [], summarize([], 0)), { name: 'PluginError', message: 'plugin "broken" failed in onRunEnd: disk full' })

  const trace: string[] = []
  const [outer, twice, bad] = registerPlugins([
    { name: 'outer', wrapTest: async (next: () => Promise<void>) => { trace.push('outer>'); await next(); trace.push('<outer') } },
    { name: 'twice', wrapTest: async (next: () => Promise<void>) => { await next(); await next() } },
    { name: 'bad', wrapTest: async () => { throw new Error('oops') } },
  ] as Plugin[])
  const info = { test: {} as never, attempt: 1 }
  await composeWrappers([outer!, twice!], async () => void trace.push('body'), info)()
  t.same(trace, ['outer>', 'body', 'body', '<outer'])
  // The body's own failure passes through untouched; a wrapper's own error names the plugin.
  const bodyError = new Error('assertion')
  await t.rejects(composeWrappers([outer!], async () => { throw bodyError }, info)(), bodyError)
  await t.rejects(composeWrappers([bad!], async () => {}, info)(), PluginError)
  // A wrapper with order 'pre' is outermost although registered last.
  trace.length = 0
  const ordered = registerPlugins([
    { name: 'inner', wrapTest: async (next: () => Promise<void>) => { trace.push('inner'); await next() } },
    { name: 'first', wrapTest: { order: 'pre', handler: async (next: () => Promise<void>) => { trace.push('first'); await next() } } },
  ] as Plugin[])
  await composeWrappers(ordered, async () => void trace.push('body'), info)()
  t.same(trace, ['first', 'inner', 'body'])
})

const schema = z.object({
  runs: z.number().int().min(1).default(100).describe('inputs per call'),
  edgeBias: z.number().min(0).max(1).default(0.1).describe('edge probability'),
  mode: z.enum(['fast', 'full']).optional().describe('how thorough'),
  label: z.string().default('calls'),
  verbose: z.boolean().default(false),
})

t.test('option fields come from the schema: kind, default, description', async (t) => {
  t.same(optionFields(schema), [
    { name: 'runs', kind: 'integer', choices: undefined, description: 'inputs per call', default: 100 },
    { name: 'edgeBias', kind: 'number', choices: undefined, description: 'edge probability', default: 0.1 },
    { name: 'mode', kind: 'choice', choices: ['fast', 'full'], description: 'how thorough', default: undefined },
    { name: 'label', kind: 'string', choices: undefined, description: '', default: 'calls' },
    { name: 'verbose', kind: 'boolean', choices: undefined, description: '', default: false },
  ])
})

t.test('pluginOptions: the validated values on this side, else the defaults', async (t) => {
  t.teardown(() => setPluginOptions({}))
  setPluginOptions({})
  t.same(pluginOptions('demo', schema), { runs: 100, edgeBias: 0.1, label: 'calls', verbose: false })
  setPluginOptions({ demo: { runs: 7, edgeBias: 0, label: 'x', verbose: true } })
  t.equal(pluginOptions('demo', schema).runs, 7)
})

t.test('check options: a typo or a wrong type is one line naming the check and the option', async (t) => {
  t.same(parseCheckOptions('checkDemo', schema, { runs: 5 }), { runs: 5, edgeBias: 0.1, label: 'calls', verbose: false })
  t.same(parseCheckOptions('checkDemo', schema, undefined).runs, 100)
  t.throws(() => parseCheckOptions('checkDemo', schema, { runz: 5 }), { name: 'OptionsError', message: 'checkDemo: unknown option "runz" — did you mean "runs"? (known: runs, edgeBias, mode, label, verbose)' })
  t.throws(() => parseCheckOptions('checkDemo', schema, { edgebias: 0 }), { message: /unknown option "edgebias" — did you mean "edgeBias"\?/ })
  t.throws(() => parseCheckOptions('checkDemo', schema, { runs: 2.5 }), { message: 'checkDemo: option "runs" must be an integer (got 2.5)' })
  t.throws(() => parseCheckOptions('checkDemo', schema, { runs: 0 }), { message: 'checkDemo: option "runs" must be an integer >= 1 (got 0)' })
  t.throws(() => parseCheckOptions('checkDemo', schema, { edgeBias: 2 }), { message: 'checkDemo: option "edgeBias" must be a number <= 1 (got 2)' })
  t.throws(() => parseCheckOptions('checkDemo', schema, { mode: 'quick' }), { message: 'checkDemo: option "mode" must be one of fast, full (got "quick")' })
  t.throws(() => parseCheckOptions('checkDemo', schema, { label: 3 }), { message: 'checkDemo: option "label" must be a string (got 3)' })
  t.throws(() => parseCheckOptions('checkDemo', schema, 5), { message: 'checkDemo: options must be an object, e.g. { runs: ... } (got 5)' })
  t.throws(() => parseCheckOptions('checkDemo', z.object({ inner: z.object({ a: z.number() }).optional() }), { inner: 3 }), { message: 'checkDemo: option "inner" must be an object (got 3)' })
})

t.test('closest suggests only near names', async (t) => {
  t.equal(closest('tolerence', ['tolerance', 'threshold']), 'tolerance')
  t.equal(closest('minIteration', ['minIterations', 'warmup']), 'minIterations')
  t.equal(closest('zzzzzz', ['runs']), undefined)
})

t.test('cross-field rules of a schema still apply while unknown keys are refused', async (t) => {
  const range = z.object({ min: z.number().default(0), max: z.number().default(1) }).refine((o) => o.max >= o.min, { message: 'checkRange: max is below min — raise max', path: ['max'] })
  t.throws(() => parseCheckOptions('checkRange', range, { min: 5, max: 1 }), { message: 'checkRange: max is below min — raise max' })
  t.throws(() => parseCheckOptions('checkRange', range, { mn: 5 }), { message: 'checkRange: unknown option "mn" — did you mean "min"? (known: min, max)' })
  t.same(parseCheckOptions('checkRange', range, { min: 1, max: 2 }), { min: 1, max: 2 })
})
