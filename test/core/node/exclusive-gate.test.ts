// The exclusive-test protocol, driven message by message.
import t from 'tap'
import { ExclusiveGate } from '../../../core/node/exclusive-gate.ts'
import type { ControlMessage } from '../../../core/protocol.ts'

function harness() {
  const gate = new ExclusiveGate()
  const sent: string[] = []
  const add = (key: number) => gate.add(key, (m: ControlMessage) => void sent.push(`${key}:${m.type}`))
  return { gate, sent, add }
}

t.test('a request pauses the others and is granted once they are quiet', async (t) => {
  const { gate, sent, add } = harness()
  add(0)
  add(1)
  add(2)
  gate.onRequest(0, 'bench')
  t.same(sent, ['1:pause', '2:pause'], 'no grant while others may still run a test')
  gate.onPaused(1)
  t.same(sent, ['1:pause', '2:pause'])
  gate.remove(2) // finished its file instead of pausing
  t.same(sent, ['1:pause', '2:pause', '0:grant'])
  let idle = false
  void gate.whenIdle().then(() => (idle = true))
  await Promise.resolve()
  t.notOk(idle, 'no new file starts during the exclusive test')
  gate.onTestEnd(0, 'bench')
  t.same(sent.slice(3), ['1:resume'])
  await Promise.resolve()
  t.ok(idle)
})

t.test('two requests are served one after the other', async (t) => {
  const { gate, sent, add } = harness()
  add(0)
  add(1)
  gate.onRequest(0, 'x')
  gate.onRequest(1, 'y')
  t.same(sent, ['1:pause', '0:grant'], 'a requesting worker is already quiet')
  gate.onTestEnd(0, 'x')
  t.same(sent.slice(2), ['0:pause'], 'the next owner waits for the previous one to pause')
  gate.onPaused(0)
  t.same(sent.slice(3), ['1:grant'])
  gate.onTestEnd(1, 'y')
  t.same(sent.slice(4), ['0:resume'])
})

t.test('a pause that crosses a release is resumed at once', async (t) => {
  const { gate, sent, add } = harness()
  add(0)
  add(1)
  gate.onRequest(0, 'x')
  gate.remove(1)
  gate.onTestEnd(0, 'x')
  add(1)
  gate.onPaused(1)
  t.same(sent.slice(-1), ['1:resume'])
})

t.test('a crashed owner releases the gate', async (t) => {
  const { gate, sent, add } = harness()
  add(0)
  add(1)
  gate.onRequest(0, 'x')
  gate.onPaused(1)
  gate.remove(0)
  t.same(sent, ['1:pause', '0:grant', '1:resume'])
})
