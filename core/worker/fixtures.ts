/**
 * Fixtures (`test.extend`), pytest's scopes in vitest's shape. A fixture is a function
 * `async ({ ...other fixtures }, use) => { set up; await use(value); tear down }`, set up
 * only for a test that destructures it from its context, and torn down after its scope:
 * `test` (after the test's afterEach hooks), `file` (after the file's tests), or `worker`
 * (shared by every file a long-lived worker runs; torn down when the pass ends or the
 * worker is recycled, the main thread asking for it). Which fixtures a test or fixture uses
 * is read from its first parameter's destructuring pattern, as vitest does.
 */
import type { SerializedError } from '../protocol.ts'
import { createRng, deriveSeed, type Rng } from '../seed.ts'
import { toError, withTimeout } from './timeout.ts'

export type FixtureScope = 'test' | 'file' | 'worker'

export interface FixtureOptions {
  /** When the fixture is torn down: after each test (default), after the file, or when the worker ends. */
  scope?: FixtureScope
}

/** What a fixture function receives besides the fixtures it destructures. */
export interface FixtureContext {
  /** The fixture's own seed, derived from the run seed, the fixture's name and its scope (file path for `file`, the test for `test`). */
  readonly seed: number
  /** A PRNG seeded with `seed`. */
  readonly rng: Rng
}

/** Hands the fixture's value to the tests; resolves when the scope ends, so the code after it is the teardown. */
export type Use<T> = (value: T) => Promise<void>

export type FixtureFn<T, Deps> = (context: Deps & FixtureContext, use: Use<T>) => unknown

/** The argument of `test.extend<T>()`: for each key of `T`, its fixture function, alone or with options. */
export type FixtureDefinitions<T, Existing = object> = {
  [K in keyof T]: FixtureFn<T[K], Omit<Existing & T, K>> | readonly [FixtureFn<T[K], Omit<Existing & T, K>>, FixtureOptions]
}

interface FixtureDef {
  readonly name: string
  readonly fn: (context: Record<string, unknown>, use: Use<unknown>) => unknown
  readonly scope: FixtureScope
  /** Fixtures the function destructures. */
  readonly deps: readonly string[]
}

/** The fixtures a `test.extend` chain defines, by name. */
export interface FixtureSet {
  readonly defs: ReadonlyMap<string, FixtureDef>
}

const SCOPES: readonly FixtureScope[] = ['test', 'file', 'worker']
/** Names the test context (or a fixture's context) already has: a fixture may not take them. */
const RESERVED = new Set(['name', 'fullName', 'file', 'seed', 'runSeed', 'rng', 'signal', 'attempt', 'tmpdir', 'log', 'annotate'])
const CONTEXT_PARAM = Symbol.for('mltest.context-param')

/**
 * Marks `wrapper` (a `.each` row's function) as calling `original` with the test context as
 * parameter `index`, so the fixtures it destructures are found there.
 */
export function markContextParam(wrapper: Function, original: Function, index: number): void {
  Object.defineProperty(wrapper, CONTEXT_PARAM, { value: { fn: original, index } })
}

/** `base` plus `definitions`, checked: a missing or circular dependency, or a narrower scope used from a wider one, throws naming the fixtures. */
export function extendFixtures(base: FixtureSet | undefined, definitions: unknown): FixtureSet {
  if (definitions === null || typeof definitions !== 'object' || Array.isArray(definitions)) {
    throw new TypeError('test.extend(fixtures): fixtures must be an object of fixture functions, e.g. { penguins: async ({}, use) => { await use(await loadPenguins()) } }')
  }
  const defs = new Map(base?.defs)
  const added = Object.entries(definitions as Record<string, unknown>).map(([name, value]) => defineFixture(name, value))
  for (const def of added) defs.set(def.name, def)
  // An inherited fixture whose dependency was overridden is a different fixture now: a new
  // identity, so a worker-scoped instance of the old one is not reused for it.
  const overridden = new Set(added.filter((d) => base?.defs.has(d.name)).map((d) => d.name))
  if (overridden.size > 0) {
    for (const def of [...defs.values()]) {
      if (!added.includes(def) && dependsOn(def, overridden, defs)) defs.set(def.name, { ...def })
    }
  }
  checkDependencies(defs)
  return { defs }
}

function defineFixture(name: string, value: unknown): FixtureDef {
  if (RESERVED.has(name)) throw new TypeError(`test.extend: "${name}" is a field of the test context already — give the fixture another name`)
  const [fn, options] = Array.isArray(value) ? value : [value, {}]
  if (typeof fn !== 'function') {
    throw new TypeError(`test.extend: fixture "${name}" must be a function async ({ ...fixtures }, use) => { await use(value) }, or [function, { scope }]`)
  }
  if (options === null || typeof options !== 'object') throw new TypeError(`test.extend: the options of fixture "${name}" must be an object such as { scope: 'worker' }`)
  for (const key of Object.keys(options)) {
    if (key !== 'scope') throw new TypeError(`test.extend: fixture "${name}" has an unknown option "${key}" — the only option is scope ('test', 'file' or 'worker')`)
  }
  const scope = (options as FixtureOptions).scope ?? 'test'
  if (!SCOPES.includes(scope)) throw new TypeError(`test.extend: fixture "${name}" has scope "${String(scope)}" — use 'test', 'file' or 'worker'`)
  const deps = (destructuredNames(fn as Function, 0) ?? []).filter((d) => d !== 'seed' && d !== 'rng')
  return { name, fn: fn as FixtureDef['fn'], scope, deps }
}

function dependsOn(def: FixtureDef, names: Set<string>, defs: Map<string, FixtureDef>, seen = new Set<string>()): boolean {
  for (const dep of def.deps) {
    if (names.has(dep)) return true
    if (seen.has(dep)) continue
    seen.add(dep)
    const next = defs.get(dep)
    if (next && dependsOn(next, names, defs, seen)) return true
  }
  return false
}

function checkDependencies(defs: Map<string, FixtureDef>): void {
  const known = [...defs.keys()].join(', ')
  for (const def of defs.values()) {
    for (const dep of def.deps) {
      const used = defs.get(dep)
      if (!used) throw new Error(`test.extend: fixture "${def.name}" uses "${dep}", which is not a fixture — the fixtures are: ${known}`)
      if (SCOPES.indexOf(used.scope) < SCOPES.indexOf(def.scope)) {
        throw new Error(
          `test.extend: fixture "${def.name}" (scope ${def.scope}) uses "${dep}" (scope ${used.scope}) — a fixture can use only fixtures of its own or a wider scope (test < file < worker)`,
        )
      }
    }
  }
  const done = new Set<string>()
  const visit = (name: string, path: string[]) => {
    if (path.includes(name)) throw new Error(`test.extend: circular fixture dependency: ${[...path.slice(path.indexOf(name)), name].join(' -> ')}`)
    if (done.has(name)) return
    for (const dep of defs.get(name)!.deps) visit(dep, [...path, name])
    done.add(name)
  }
  for (const name of defs.keys()) visit(name, [])
}

/** The fixtures of `set` a test function destructures from its context parameter. */
export function fixturesUsedBy(fn: Function, set: FixtureSet): string[] {
  const marked = (fn as unknown as Record<symbol, { fn: Function; index: number } | undefined>)[CONTEXT_PARAM]
  const names = destructuredNames(marked?.fn ?? fn, marked?.index ?? 0) ?? []
  return names.filter((n) => set.defs.has(n))
}

/**
 * The property names a function's parameter `index` destructures (`({ a, b: c, d = 1 }) =>`
 * gives a, b, d), or undefined when that parameter is not an object pattern.
 */
export function destructuredNames(fn: Function, index: number): string[] | undefined {
  const param = parameterList(stripComments(Function.prototype.toString.call(fn)))?.[index]?.trim()
  if (!param?.startsWith('{')) return undefined
  const inner = param.slice(1, matchingClose(param, 0))
  return splitTopLevel(inner)
    .map((p) => p.trim())
    .filter((p) => p !== '' && !p.startsWith('...'))
    .map((p) => {
      const key = /^(?:(['"])(.*?)\1|([\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$\u200c\u200d]*))/u.exec(p)
      if (!key) throw new TypeError(`fixtures: cannot read the destructured name "${p}" — use plain names, e.g. ({ penguins, session }) =>`)
      return key[2] ?? key[3]!
    })
}

/** The top-level parameters of a function's source, or undefined for a single bare arrow parameter. */
function parameterList(source: string): string[] | undefined {
  let s = source.trimStart()
  s = s.replace(/^async(?=[\s(])\s*/, '')
  if (!s.startsWith('(')) {
    const bare = /^[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$]*\s*=>/u.exec(s)
    if (bare) return undefined
  }
  const open = s.indexOf('(')
  if (open === -1) return undefined
  return splitTopLevel(s.slice(open + 1, matchingClose(s, open)))
}

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ' ')
}

/** Index of the bracket closing the one at `open`, skipping strings and nested brackets. */
function matchingClose(s: string, open: number): number {
  let depth = 0
  for (let i = open; i < s.length; i++) {
    const c = s[i]!
    if (c === '"' || c === "'" || c === '`') i = endOfString(s, i)
    else if (c === '(' || c === '[' || c === '{') depth++
    else if (c === ')' || c === ']' || c === '}') {
      depth--
      if (depth === 0) return i
    }
  }
  return s.length
}

function endOfString(s: string, start: number): number {
  const quote = s[start]
  for (let i = start + 1; i < s.length; i++) {
    if (s[i] === '\\') i++
    else if (s[i] === quote) return i
  }
  return s.length
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = []
  let depth = 0
  let from = 0
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (c === '"' || c === "'" || c === '`') i = endOfString(s, i)
    else if (c === '(' || c === '[' || c === '{') depth++
    else if (c === ')' || c === ']' || c === '}') depth--
    else if (c === ',' && depth === 0) {
      parts.push(s.slice(from, i))
      from = i + 1
    }
  }
  parts.push(s.slice(from))
  return parts
}

/** A fixture whose set-up threw, naming the fixture (a dependency's failure names the dependency). */
class FixtureSetupError extends Error {
  constructor(
    readonly fixture: string,
    readonly original: unknown,
  ) {
    super(`fixture "${fixture}" failed to set up`)
  }
}

interface LiveFixture {
  readonly def: FixtureDef
  readonly value: Promise<unknown>
  /** Set once the fixture function has started; ends it (the code after `await use()`). */
  finish?: () => Promise<void>
}

/** The live fixtures of one scope instance (one test, one file, one worker); torn down last set up first. */
class FixtureScopeInstance {
  private readonly live = new Map<FixtureDef, LiveFixture>()
  private readonly started: LiveFixture[] = []

  get(def: FixtureDef): LiveFixture | undefined {
    return this.live.get(def)
  }

  start(def: FixtureDef, deps: () => Promise<Record<string, unknown>>, seed: number): LiveFixture {
    const entry: { def: FixtureDef; value: Promise<unknown>; finish?: () => Promise<void> } = { def, value: Promise.resolve() }
    entry.value = (async () => {
      let values: Record<string, unknown>
      try {
        values = await deps()
      } catch (error) {
        throw error instanceof FixtureSetupError ? error : new FixtureSetupError(def.name, error)
      }
      const running = runFixture(def, { ...values, seed, rng: createRng(seed) })
      entry.finish = running.finish
      this.started.push(entry)
      return running.value
    })()
    entry.value.catch(() => {})
    this.live.set(def, entry)
    return entry
  }

  get size(): number {
    return this.live.size
  }

  /** Ends every fixture started here, last started first; their teardown errors. */
  async teardown(timeoutMs: number): Promise<SerializedError[]> {
    const errors: SerializedError[] = []
    const started = this.started.splice(0).reverse()
    this.live.clear()
    for (const entry of started) {
      try {
        await withTimeout(() => entry.finish!(), timeoutMs, `teardown of fixture "${entry.def.name}"`)
      } catch (error) {
        const e = toError(error)
        errors.push({ ...e, message: `fixture "${entry.def.name}" (scope ${entry.def.scope}) failed to tear down: ${e.message}` })
      }
    }
    return errors
  }
}

/** Calls a fixture function: `value` settles at `use(value)` (or with its set-up error); `finish` lets it tear down. */
function runFixture(def: FixtureDef, context: Record<string, unknown>): { value: Promise<unknown>; finish: () => Promise<void> } {
  let provide!: (value: unknown) => void
  let fail!: (error: unknown) => void
  let release!: () => void
  let provided = false
  const value = new Promise<unknown>((resolve, reject) => ((provide = resolve), (fail = reject)))
  value.catch(() => {})
  const released = new Promise<void>((resolve) => (release = resolve))
  const use: Use<unknown> = async (v) => {
    if (provided) throw new Error(`fixture "${def.name}" called use() twice — call it once with the fixture's value`)
    provided = true
    provide(v)
    await released
  }
  const done = Promise.resolve().then(() => def.fn(context, use))
  done.then(
    () => provided || fail(new FixtureSetupError(def.name, new Error(`fixture "${def.name}" returned without calling use(value) — await use(value) once with the fixture's value`))),
    (error: unknown) => provided || fail(new FixtureSetupError(def.name, error)),
  )
  return {
    value,
    async finish() {
      release()
      if (provided) await done
    },
  }
}

const WORKER_SCOPE = Symbol.for('mltest.worker-fixtures')
/** Worker-scoped fixtures live on globalThis: two copies of this module (a linked install) share them. */
function workerScope(): FixtureScopeInstance {
  return ((globalThis as Record<symbol, unknown>)[WORKER_SCOPE] ??= new FixtureScopeInstance()) as FixtureScopeInstance
}

/** How long a worker-scoped fixture may take to tear down. */
const WORKER_TEARDOWN_MS = 60_000

/** Tears down this worker's worker-scoped fixtures (the main thread asks before the worker ends); their errors. */
export function teardownWorkerFixtures(): Promise<SerializedError[]> {
  return workerScope().teardown(WORKER_TEARDOWN_MS)
}

/** Set-up and teardown of one file's fixtures: its file scope, and a test scope per attempt. */
export class FileFixtures {
  private readonly fileScope = new FixtureScopeInstance()

  constructor(
    private readonly relFile: string,
    private readonly runSeed: number,
    private readonly timeoutMs: number,
    /** Reports a test- or file-scoped fixture's teardown error on the file. */
    readonly onTeardownError: (error: SerializedError) => void,
  ) {}

  /**
   * Sets up the fixtures `names` of `set` (and what they use) for one attempt of a test
   * seeded `testSeed`, and puts them on `context`; fixtures of `set` it did not ask for
   * throw a clear error when read. Resolves to the attempt's test scope, and the set-up
   * error if one failed.
   */
  async setUp(set: FixtureSet, names: readonly string[], testSeed: number, context: object, timeoutMs: number): Promise<{ scope: FixtureScopeInstance; error?: SerializedError }> {
    const testScope = new FixtureScopeInstance()
    for (const name of set.defs.keys()) {
      if (!names.includes(name)) {
        Object.defineProperty(context, name, {
          configurable: true,
          enumerable: false,
          get() {
            throw new Error(`fixture "${name}" is set up only for a test that destructures it — write the test as async ({ ${name} }) => { ... }`)
          },
        })
      }
    }
    const valueOf = (def: FixtureDef): Promise<unknown> => {
      const scope = def.scope === 'test' ? testScope : def.scope === 'file' ? this.fileScope : workerScope()
      const live = scope.get(def) ?? scope.start(def, () => depsOf(def), this.seedOf(def, testSeed))
      return live.value
    }
    const depsOf = async (def: FixtureDef) => {
      const values: Record<string, unknown> = {}
      for (const dep of def.deps) values[dep] = await valueOf(set.defs.get(dep)!)
      return values
    }
    try {
      const values: Record<string, unknown> = {}
      await withTimeout(async () => {
        for (const name of names) values[name] = await valueOf(set.defs.get(name)!)
      }, timeoutMs, `set-up of the fixtures ${names.map((n) => `"${n}"`).join(', ')}`)
      for (const name of names) Object.defineProperty(context, name, { value: values[name], enumerable: true, configurable: true })
      return { scope: testScope }
    } catch (error) {
      if (error instanceof FixtureSetupError) {
        const e = toError(error.original)
        return { scope: testScope, error: { ...e, message: `fixture "${error.fixture}" failed to set up: ${e.message}` } }
      }
      return { scope: testScope, error: toError(error) }
    }
  }

  /** Tears down one attempt's test-scoped fixtures; their errors. */
  teardownTest(scope: FixtureScopeInstance): Promise<SerializedError[]> {
    return scope.teardown(this.timeoutMs)
  }

  /** Whether any file-scoped fixture is live. */
  get hasFileFixtures(): boolean {
    return this.fileScope.size > 0
  }

  /** Tears down the file-scoped fixtures after the file's tests; their errors. */
  teardownFile(): Promise<SerializedError[]> {
    return this.fileScope.teardown(this.timeoutMs)
  }

  /** A fixture's own seed: never the test's, and independent of which test or worker set it up first. */
  private seedOf(def: FixtureDef, testSeed: number): number {
    if (def.scope === 'test') return deriveSeed(testSeed, 'fixture', def.name)
    if (def.scope === 'file') return deriveSeed(this.runSeed, this.relFile, 'fixture', def.name)
    return deriveSeed(this.runSeed, 'fixture', def.name)
  }
}
