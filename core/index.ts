/**
 * mltest's public test API: `import { test, describe, expect, beforeAll, ... } from 'mltest'`.
 * Library and plugin code reaches the running test with `currentTest()`, `annotate()` and
 * `recordCheck()`.
 */
export { afterAll, afterEach, beforeAll, beforeEach, describe, test } from './worker/collect.ts'
export type { TestApi, DescribeApi, TestFn, TestOptions } from './worker/collect.ts'
export type { FixtureContext, FixtureDefinitions, FixtureFn, FixtureOptions, FixtureScope, Use } from './worker/fixtures.ts'
export { annotate, currentTest, recordCheck } from './running-test.ts'
export type { TestContext } from './running-test.ts'
export { resolveModelRef } from './active-plugins.ts'
export { expect } from './expect/index.ts'
export type { MatcherFunction } from './expect/index.ts'
export type { AllCloseOptions } from './expect/numeric.ts'
export type { GoldenOptions } from './expect/golden.ts'
export type { Plugin, WrapTestInfo } from './hooks.ts'
export type { Reporter, RunResult } from './reporter.ts'
export type { Annotation, AnnotationValue, CheckRecord, TestResult, FileResult, Verdict } from './protocol.ts'
export type { Rng } from './seed.ts'
