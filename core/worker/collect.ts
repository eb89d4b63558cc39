/**
 * The test API (`test`, `describe`, hooks) and the collector it feeds. A test file's
 * top-level code runs once at import; `test()` and `describe()` calls build a tree that
 * `run-file.ts` then runs. The collector lives on `globalThis` so two copies of this module
 * (e.g. through a symlinked install) still feed the same tree.
 */
import { format } from 'node:util'
import type { SourceLocation } from '../protocol.ts'
import type { TestContext } from '../running-test.ts'
import { extendFixtures, fixturesUsedBy, markContextParam, type FixtureDefinitions, type FixtureSet } from './fixtures.ts'
import { callerLocation } from './serialize-error.ts'

/** A test's body; `Extra` is what `test.extend` fixtures add to its context. */
export type TestFn<Extra = object> = (t: TestContext & Extra) => unknown
export type HookFn = (t: TestContext) => unknown
export type AllHookFn = () => unknown

export interface TestOptions {
  /** Per-test timeout in ms (default: `--timeout`, 30 000). */
  timeout?: number
  /** Times to retry a failing test before reporting it failed. */
  retries?: number
  /** Tags for `--tag` filters; inherited from enclosing describes. Tag `bench` implies `exclusive`. */
  tags?: string[]
  /** Run alone: no other test runs on any worker meanwhile (benchmarks). */
  exclusive?: boolean
  /**
   * With `test.fails`: the failure must be this one (a message substring or pattern), so an
   * unrelated error (a typo, a missing package) does not count as the expected failure.
   */
  error?: string | RegExp
}

type Mode = 'run' | 'skip' | 'only' | 'todo'

export interface TestNode {
  kind: 'test'
  name: string
  parent: SuiteNode
  fn?: TestFn
  mode: Mode
  expectFail: boolean
  options: TestOptions
  location?: SourceLocation
  /** The fixtures of the `test.extend` chain that registered it, and those its body destructures. */
  fixtures?: { set: FixtureSet; used: string[] }
}

export interface SuiteNode {
  kind: 'suite'
  name: string
  parent?: SuiteNode
  children: Array<SuiteNode | TestNode>
  mode: Mode
  options: TestOptions
  /** Hooks in the order they run: before-hooks as declared, after-hooks last declared first. */
  beforeAll: AllHookFn[]
  afterAll: AllHookFn[]
  beforeEach: HookFn[]
  afterEach: HookFn[]
}

interface CollectorState {
  root?: SuiteNode
  current?: SuiteNode
}

const state: CollectorState = ((globalThis as Record<symbol, unknown>)[Symbol.for('mltest.collector')] ??= {}) as CollectorState

export function newSuite(name: string, parent: SuiteNode | undefined, mode: Mode, options: TestOptions): SuiteNode {
  return { kind: 'suite', name, parent, children: [], mode, options, beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] }
}

/** Starts collecting a file; returns its root suite. */
export function beginCollection(): SuiteNode {
  const root = newSuite('', undefined, 'run', {})
  state.root = root
  state.current = root
  return root
}

export function endCollection(): void {
  state.root = undefined
  state.current = undefined
}

function currentSuite(api: string): SuiteNode {
  if (!state.current) {
    throw new Error(
      `${api} was called outside test collection — call it at the top level of a *.mltest.ts file or inside describe(), not inside a running test or a hook`,
    )
  }
  return state.current
}

function checkName(api: string, name: unknown): string {
  if (typeof name !== 'string') throw new TypeError(`${api}: the first argument must be the test's name (a string), got ${typeof name}`)
  return name
}

function addTest(name: unknown, fn: TestFn | undefined, options: TestOptions | undefined, mode: Mode, expectFail: boolean, fixtures?: FixtureSet) {
  const api = expectFail ? 'test.fails()' : 'test()'
  const suite = currentSuite(api)
  const testName = checkName(api, name)
  if (mode !== 'todo' && typeof fn !== 'function') {
    throw new TypeError(`${api} "${testName}": the second argument must be the test function — use test.todo("${testName}") for a test without a body`)
  }
  if (options?.error !== undefined && !expectFail) {
    throw new TypeError(`test("${testName}"): the error option applies to test.fails only — write test.fails("${testName}", fn, { error })`)
  }
  const node: TestNode = { kind: 'test', name: testName, parent: suite, fn, mode, expectFail, options: options ?? {}, location: callerLocation() }
  if (fixtures && fn) node.fixtures = { set: fixtures, used: fixturesUsedBy(fn, fixtures) }
  suite.children.push(node)
}

function addSuite(name: unknown, fn: (() => void) | undefined, options: TestOptions | undefined, mode: Mode) {
  const parent = currentSuite('describe()')
  const suiteName = checkName('describe()', name)
  if (mode === 'todo') {
    // A todo describe has no body yet: it is one todo entry, so it is listed and counted.
    parent.children.push({ kind: 'test', name: suiteName, parent, mode: 'todo', expectFail: false, options: options ?? {}, location: callerLocation() })
    return
  }
  const suite = newSuite(suiteName, parent, mode, options ?? {})
  parent.children.push(suite)
  if (!fn) return
  if (typeof fn !== 'function') throw new TypeError(`describe("${suiteName}"): the second argument must be a function`)
  state.current = suite
  try {
    const result = fn() as unknown
    if (result instanceof Promise) {
      throw new Error(`describe("${suiteName}") got an async function — describe bodies must be synchronous; put async work in beforeAll()`)
    }
  } finally {
    state.current = parent
  }
}

/**
 * Fills a name template for one row of a `.each` table: `%s %d %i %f %j %o` take the row's
 * values in order, `%#` is the row index, `%%` a percent sign, `$field` / `$a.b` read object rows.
 */
export function formatEachName(template: string, row: unknown, index: number): string {
  const values = Array.isArray(row) ? [...row] : [row]
  let name = template.replace(/%([sdifjo#%])/g, (_m, spec: string) => {
    if (spec === '%') return '%'
    if (spec === '#') return String(index)
    if (values.length === 0) return `%${spec}`
    const value = values.shift()
    return spec === 'j' ? JSON.stringify(value) : format(`%${spec}`, value)
  })
  if (row !== null && typeof row === 'object' && !Array.isArray(row)) {
    name = name.replace(/\$([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)/g, (match, path: string) => {
      let value: unknown = row
      for (const key of path.split('.')) {
        if (value === null || typeof value !== 'object' || !(key in value)) return match
        value = (value as Record<string, unknown>)[key]
      }
      return typeof value === 'string' ? value : format('%o', value)
    })
  }
  return name
}

function eachOf<F extends (...args: never[]) => unknown>(
  register: (name: string, fn: (...a: unknown[]) => unknown, options?: TestOptions) => void,
) {
  return (table: readonly unknown[]) => {
    if (!Array.isArray(table)) throw new TypeError('.each(table): table must be an array of rows (arrays or objects)')
    return (template: string, fn: F, options?: TestOptions) => {
      table.forEach((row, index) => {
        const args = Array.isArray(row) ? row : [row]
        const rowFn = (...rest: unknown[]) => (fn as unknown as (...a: unknown[]) => unknown)(...args, ...rest)
        // The test context comes after the row's values: fixtures are read from that parameter.
        markContextParam(rowFn, fn, args.length)
        register(formatEachName(template, row, index), rowFn, options)
      })
    }
  }
}

type EachTestFn = (...args: any[]) => unknown

export interface TestApi<Extra = object> {
  (name: string, fn: TestFn<Extra>, options?: TestOptions): void
  skip(name: string, fn?: TestFn<Extra>, options?: TestOptions): void
  only(name: string, fn: TestFn<Extra>, options?: TestOptions): void
  todo(name: string): void
  /** Expected failure: passes when the body throws, fails when it passes. */
  fails(name: string, fn: TestFn<Extra>, options?: TestOptions): void
  /** Rows' values first, the test context (with its fixtures) last. */
  each(table: readonly unknown[]): (name: string, fn: EachTestFn, options?: TestOptions) => void
  /**
   * A test function with fixtures: `test.extend<{ penguins: Penguin[] }>({ penguins: async ({}, use) => { await use(await load()) } })`.
   * A fixture is set up only for a test that destructures it, may use other fixtures, and
   * is torn down after its scope: `[fn, { scope: 'file' | 'worker' }]` (default `test`).
   */
  extend<T extends Record<string, unknown> = Record<string, never>>(fixtures: FixtureDefinitions<T, Extra>): TestApi<Omit<Extra, keyof T> & T>
}

function createTestApi(fixtures?: FixtureSet): TestApi {
  const add = (name: unknown, fn: TestFn | undefined, options: TestOptions | undefined, mode: Mode, expectFail: boolean) => addTest(name, fn, options, mode, expectFail, fixtures)
  return Object.assign(
    (name: string, fn: TestFn, options?: TestOptions) => add(name, fn, options, 'run', false),
    {
      skip: (name: string, fn?: TestFn, options?: TestOptions) => add(name, fn ?? (() => {}), options, 'skip', false),
      only: (name: string, fn: TestFn, options?: TestOptions) => add(name, fn, options, 'only', false),
      todo: (name: string) => add(name, undefined, undefined, 'todo', false),
      fails: (name: string, fn: TestFn, options?: TestOptions) => add(name, fn, options, 'run', true),
      each: eachOf<EachTestFn>((name, fn, options) => add(name, fn as TestFn, options, 'run', false)),
      extend: (definitions: unknown) => createTestApi(extendFixtures(fixtures, definitions)),
    },
  ) as TestApi
}

export const test: TestApi = createTestApi()

export interface DescribeApi {
  (name: string, fn: () => void, options?: TestOptions): void
  skip(name: string, fn: () => void, options?: TestOptions): void
  only(name: string, fn: () => void, options?: TestOptions): void
  todo(name: string): void
  each(table: readonly unknown[]): (name: string, fn: (...args: any[]) => void, options?: TestOptions) => void
}

export const describe: DescribeApi = Object.assign(
  (name: string, fn: () => void, options?: TestOptions) => addSuite(name, fn, options, 'run'),
  {
    skip: (name: string, fn: () => void, options?: TestOptions) => addSuite(name, fn, options, 'skip'),
    only: (name: string, fn: () => void, options?: TestOptions) => addSuite(name, fn, options, 'only'),
    todo: (name: string) => addSuite(name, undefined, undefined, 'todo'),
    each: eachOf<(...args: any[]) => void>((name, fn, options) => addSuite(name, fn as () => void, options, 'run')),
  },
)

function addHook<K extends 'beforeAll' | 'afterAll' | 'beforeEach' | 'afterEach'>(kind: K, fn: SuiteNode[K][number]) {
  if (typeof fn !== 'function') throw new TypeError(`${kind}(fn): fn must be a function`)
  const hooks = currentSuite(`${kind}()`)[kind] as unknown[]
  // Teardown mirrors set-up, as in vitest (sequence.hooks 'stack') and pytest's fixtures.
  if (kind === 'afterAll' || kind === 'afterEach') hooks.unshift(fn)
  else hooks.push(fn)
}

/** Runs once before the tests of the enclosing describe (or file). */
export const beforeAll = (fn: AllHookFn) => addHook('beforeAll', fn)
/** Runs once after the tests of the enclosing describe (or file); a block's afterAll hooks run last declared first. */
export const afterAll = (fn: AllHookFn) => addHook('afterAll', fn)
/** Runs before each test of the enclosing describe (or file), outermost first. */
export const beforeEach = (fn: HookFn) => addHook('beforeEach', fn)
/** Runs after each test of the enclosing describe (or file), even if it failed: innermost describe first, and within one, last declared first. */
export const afterEach = (fn: HookFn) => addHook('afterEach', fn)

/**
 * Imports a module with a throwaway collector open, so a test file can be imported for one
 * of its exports (a training function run in another worker, say): its `test()` and
 * `describe()` calls are collected and dropped instead of failing outside collection.
 */
export async function importWithoutCollecting<T = Record<string, unknown>>(moduleUrl: string): Promise<T> {
  const previous = { root: state.root, current: state.current }
  beginCollection()
  try {
    return (await import(moduleUrl)) as T
  } finally {
    state.root = previous.root
    state.current = previous.current
  }
}
