// The exclusive-test protocol, driven message by message.
import t from 'tap'
import { ExclusiveGate } from '../../../core/node/exclusive-gate.ts'
import type { ControlMessage } from '../../../core/protocol.ts'

function harness() {
  const gate = new ExclusiveGate()
  const sent: string[] = []
  const epochs = new Map<number, number>()
  const add = (key: number) =>
    gate.add(key, (m: ControlMessage) => {
      if (m.type === 'pause') epochs.set(key, m.epoch)
      sent.push(`${key}:${m.type}`)
    })
  /** The worker answers the last pause it was sent. */
  const paused = (key: number) => gate.onPaused(key, epochs.get(key) ?? 0)
  return { gate, sent, add, paused, epochs }
}

t.test('a request pauses the others and is granted once they are quiet', async (t) => {
  const { gate, sent, add, paused } = harness()
  add(0)
  add(1)
  add(2)
  gate.onRequest(0, 'bench')
  t.same(sent, ['1:pause', '2:pause'], 'no grant while others may still run a test')
  paused(1)
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
  const { gate, sent, add, paused } = harness()
  add(0)
  add(1)
  gate.onRequest(0, 'x')
  gate.onRequest(1, 'y')
  t.same(sent, ['1:pause', '0:grant'], 'a requesting worker is already quiet')
  gate.onTestEnd(0, 'x')
  t.same(sent.slice(2), ['0:pause'], 'the next owner waits for the previous one to pause')
  paused(0)
  t.same(sent.slice(3), ['1:grant'])
  gate.onTestEnd(1, 'y')
  t.same(sent.slice(4), ['0:resume'])
})

t.test('a pause answered after the request went away is resumed at once', async (t) => {
  const { gate, sent, add, paused } = harness()
  add(0)
  add(1)
  gate.onRequest(0, 'x') // pause to worker 1
  gate.remove(0) // the requester's file ended: resume to worker 1
  paused(1) // worker 1's answer crossed that resume
  t.same(sent, ['1:pause', '1:resume'], 'one resume: the late answer is stale')
})

t.test('a crashed owner releases the gate', async (t) => {
  const { gate, sent, add, paused } = harness()
  add(0)
  add(1)
  gate.onRequest(0, 'x')
  paused(1)
  gate.remove(0)
  t.same(sent, ['1:pause', '0:grant', '1:resume'])
})

t.test('a request whose file crashed before the grant frees the others', async (t) => {
  const { gate, sent, add, paused } = harness()
  add(0)
  add(1)
  add(2)
  gate.onRequest(0, 'x')
  paused(1)
  let idle = false
  void gate.whenIdle().then(() => (idle = true))
  gate.remove(0)
  await Promise.resolve()
  t.same(sent, ['1:pause', '2:pause', '1:resume', '2:resume'])
  t.ok(idle, 'new files may start again')
})

t.test('a stale paused (it crossed a resume) does not count as quiet', async (t) => {
  const { gate, sent, add, epochs } = harness()
  add(0)
  add(1)
  gate.onRequest(0, 'x') // pause #1 to worker 1
  const stale = epochs.get(1)!
  gate.remove(0) // the request vanished: resume to worker 1
  add(2)
  gate.onRequest(2, 'y') // pause #2 to worker 1
  gate.onPaused(1, stale) // worker 1's answer to pause #1 arrives only now
  t.notOk(sent.includes('2:grant'), 'no grant on a stale answer')
  gate.onPaused(1, epochs.get(1)!)
  t.ok(sent.includes('2:grant'), 'granted once worker 1 answers the current pause')
})
