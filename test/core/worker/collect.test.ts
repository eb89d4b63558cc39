// Test collection helpers and error serialisation, in-process.
import t from 'tap'
import { formatEachName } from '../../../core/worker/collect.ts'
import { cleanStack, serializeError } from '../../../core/worker/serialize-error.ts'
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
