// Test collection helpers and error serialisation, in-process.
import assert from 'node:assert'
import t from 'tap'
import { formatEachName } from '../../../core/worker/collect.ts'
import { callerLocation, cleanStack, serializeError } from '../../../core/worker/serialize-error.ts'
import { expect } from '../../../core/expect/index.ts'

t.test('each name templates', async (t) => {
  t.equal(formatEachName('add %s + %s = %s', [1, 2, 3], 0), 'add 1 + 2 = 3')
  t.equal(formatEachName('%# %d %j %%', [4.5, { a: 1 }], 7), '7 4.5 {"a":1} %')
  t.equal(formatEachName('model $name at $cfg.lr', { name: 'mlp', cfg: { lr: 0.1 } }, 0), 'model mlp at 0.1')
  t.equal(formatEachName('$missing stays', { a: 1 }, 0), '$missing stays')
  t.equal(formatEachName('%s and %s', [1], 0), '1 and %s')
})

t.test('serializeError: assertion vs error, diff, cause, plain text', async (t) => {
  let thrown: unknown
  try {
    expect({ a: 1, b: [1, 2] }).toEqual({ a: 2, b: [1, 2] })
  } catch (e) {
    thrown = e
  }
  const s = serializeError(thrown)
  t.equal(s.kind, 'assertion')
  t.match(s.message, /toEqual/)
  t.notMatch(s.message, /\u001b\[/, 'no ANSI colours')
  t.match(s.diff, /- Expected/)
  t.match(s.location?.file, /collect\.test\.ts$/)
  const withCause = serializeError(new Error('outer', { cause: new TypeError('inner') }))
  t.equal(withCause.kind, 'error')
  t.equal(withCause.cause?.name, 'TypeError')
  t.equal(serializeError('text').message, 'a non-Error value was thrown: text')
  t.equal(serializeError(new Error('x'), 'timeout').kind, 'timeout')
  const huge = serializeError(new Error('x'.repeat(20000)))
  t.ok(huge.message.length < 9000, 'huge messages are cut')
  t.match(huge.message, /more characters cut/)
})

t.test('cleanStack drops node internals and mltest frames', async (t) => {
  const root = new URL('../../../', import.meta.url).pathname
  const stack = [
    'Error: boom',
    '    at userFn (/home/u/project/model.mltest.ts:3:9)',
    `    at runAttempt (${root}core/worker/run-file.ts:10:1)`,
    '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    '    at file:///home/u/project/other.mltest.ts?mltest=2:5:1',
    '    at x (/home/u/project/node_modules/lib/index.js:1:1)',
  ].join('\n')
  t.equal(cleanStack(stack), ['Error: boom', '    at userFn (/home/u/project/model.mltest.ts:3:9)', '    at /home/u/project/other.mltest.ts:5:1'].join('\n'))
})

t.test('serializeError: thrown values, node:assert, ANSI colours, causes, locations', async (t) => {
  t.match(serializeError({ shape: [2, 3] }), { kind: 'error', name: 'ThrownValue', message: 'a non-Error value was thrown: { shape: [ 2, 3 ] }' })
  t.equal(serializeError(undefined).message, 'a non-Error value was thrown: undefined')
  t.equal(serializeError('text', 'crash').kind, 'crash', 'the kind override applies to thrown values too')

  let deep: unknown
  try {
    assert.deepStrictEqual({ weights: [1, 2] }, { weights: [1, 3] })
  } catch (e) {
    deep = e
  }
  const fromAssert = serializeError(deep)
  t.equal(fromAssert.kind, 'assertion', 'node:assert errors are assertions')
  t.match(fromAssert.diff, /Expected[\s\S]*Received/, 'with a diff of the objects')
  let primitive: unknown
  try {
    assert.strictEqual(1, 2)
  } catch (e) {
    primitive = e
  }
  t.equal(serializeError(primitive).kind, 'assertion')
  t.equal(serializeError(primitive).diff, undefined, 'no diff for primitives: the message says it')
  t.equal(serializeError(Object.assign(new Error('x'), { name: 'AssertionError' })).kind, 'assertion', 'any AssertionError')
  t.equal(serializeError(Object.assign(new Error('x'), { code: 'ERR_ASSERTION' })).kind, 'assertion', 'any error with the assertion code')

  const coloured = new Error('\u001b[31mred\u001b[39m text')
  coloured.stack = `Error: \u001b[31mred\u001b[39m text\n    at user (/home/u/p/m.mltest.ts:1:1)`
  const plain = serializeError(coloured)
  t.equal(plain.message, 'red text')
  t.equal(plain.stack, 'Error: red text\n    at user (/home/u/p/m.mltest.ts:1:1)')

  let chain: Error = new Error('cause 0')
  for (let i = 1; i <= 8; i++) chain = new Error(`cause ${i}`, { cause: chain })
  let depth = 0
  for (let s = serializeError(chain).cause; s; s = s.cause) depth++
  t.equal(depth, 5, 'causes are followed five levels deep')
  t.match(serializeError(new Error('x', { cause: 'a string' })).cause, { name: 'ThrownValue', message: 'a non-Error value was thrown: a string' })

  const root = new URL('../../../', import.meta.url).pathname
  const located = new Error('x')
  located.stack = [
    'Error: x',
    `    at expectThing (${root}core/expect/index.ts:5:5)`,
    '    at <anonymous>',
    '    at file:///home/u/my%20project/m.mltest.ts?mltest=3:4:7',
  ].join('\n')
  t.same(serializeError(located).location, { file: '/home/u/my project/m.mltest.ts', line: 4, column: 7 }, "the first user frame, as a path without mltest's query")
  const topLevel = new Error('x')
  topLevel.stack = 'Error: x\n    at <anonymous> (/home/u/p/m.mltest.ts:2:3)'
  t.same(serializeError(topLevel).location, { file: '/home/u/p/m.mltest.ts', line: 2, column: 3 }, "a file's top level is a user frame")
  t.match(serializeError(new Error('here')).location, { file: new URL(import.meta.url).pathname }, 'a real error: this file')
  t.match(callerLocation(), { file: new URL(import.meta.url).pathname }, 'callerLocation: where user code called into mltest')
  const long = new Error('x')
  long.stack = 'Error: x\n' + '    at user (/home/u/p/m.mltest.ts:1:1)\n'.repeat(500)
  t.match(serializeError(long).stack, /\n… \(\d+ more characters cut\)$/, 'a huge stack is cut too')
})
