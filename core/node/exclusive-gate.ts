/**
 * The main thread's half of exclusive tests (benchmarks, tag `bench`): while one runs, no
 * other test runs on any worker and no new file starts (importing a file is work too), so
 * latency figures are not disturbed by the rest of the suite. The rest of the suite stays
 * parallel the rest of the time.
 *
 * Protocol: a worker sends `exclusive-request`; the gate sends `pause` to every other worker
 * that is running tests, waits until each has answered `paused` (after its current test) or
 * finished its file, then sends `grant`. When the exclusive test ends, the next request is
 * granted, or every paused worker gets `resume`.
 */
import type { ControlMessage } from '../protocol.ts'

type TaskState = 'running' | 'pausing' | 'paused' | 'requesting' | 'exclusive'

interface GateTask {
  state: TaskState
  send(message: ControlMessage): void
  testId?: string
  /** Number of the last pause sent; a `paused` with another number is stale. */
  pauseEpoch: number
}

/** One file's place at the gate: what its worker says, bound to its key. */
export interface GateSeat {
  request(testId: string): void
  paused(epoch: number): void
  testEnded(testId: string): void
  /** The file finished or its worker died. */
  leave(): void
}

export class ExclusiveGate {
  private readonly tasks = new Map<number, GateTask>()
  private readonly queue: number[] = []
  private owner: number | undefined
  private idleWaiters: Array<() => void> = []
  private nextKey = 0

  /** Seats a file whose worker gets control messages through `send`. */
  join(send: (message: ControlMessage) => void): GateSeat {
    const key = this.nextKey++
    this.add(key, send)
    return {
      request: (testId) => this.onRequest(key, testId),
      paused: (epoch) => this.onPaused(key, epoch),
      testEnded: (testId) => this.onTestEnd(key, testId),
      leave: () => this.remove(key),
    }
  }

  add(key: number, send: (message: ControlMessage) => void): void {
    this.tasks.set(key, { state: 'running', send, pauseEpoch: 0 })
    // A file that starts while a request is pending must pause before its first test.
    if (this.busy()) this.pauseOthers()
  }

  remove(key: number): void {
    this.tasks.delete(key)
    const queued = this.queue.indexOf(key)
    if (queued !== -1) this.queue.splice(queued, 1)
    // The owner leaving, or the last request vanishing (its file crashed before the
    // grant), both free the others.
    if (this.owner === key || !this.busy()) this.release()
    else this.tryGrant()
  }

  onRequest(key: number, testId: string): void {
    const task = this.tasks.get(key)
    if (!task) return
    task.state = 'requesting'
    task.testId = testId
    this.queue.push(key)
    this.tryGrant()
  }

  onPaused(key: number, epoch: number): void {
    const task = this.tasks.get(key)
    // Only an answer to the pause in force counts. A `paused` for an older pause, or one that
    // arrives after a release already sent `resume` (state no longer 'pausing'), is stale:
    // that resume wakes the worker.
    if (!task || epoch !== task.pauseEpoch || task.state !== 'pausing') return
    task.state = 'paused'
    this.tryGrant()
  }

  onTestEnd(key: number, testId: string): void {
    if (this.owner === key && this.tasks.get(key)?.testId === testId) this.release()
  }

  /** Resolves when no exclusive test runs or waits, so a new file may start. */
  whenIdle(): Promise<void> {
    if (!this.busy()) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private busy(): boolean {
    return this.owner !== undefined || this.queue.length > 0
  }

  private pauseOthers(): void {
    for (const [key, task] of this.tasks) {
      if (key !== this.queue[0] && task.state === 'running') {
        task.state = 'pausing'
        task.send({ type: 'pause', epoch: ++task.pauseEpoch })
      }
    }
  }

  private tryGrant(): void {
    if (this.owner !== undefined || this.queue.length === 0) return
    this.pauseOthers()
    const next = this.queue[0]!
    const othersQuiet = [...this.tasks].every(([key, t]) => key === next || t.state === 'paused' || t.state === 'requesting')
    if (!othersQuiet) return
    this.queue.shift()
    this.owner = next
    const task = this.tasks.get(next)!
    task.state = 'exclusive'
    task.send({ type: 'grant' })
  }

  private release(): void {
    const owner = this.owner !== undefined ? this.tasks.get(this.owner) : undefined
    if (owner) owner.state = 'running'
    this.owner = undefined
    if (this.queue.length > 0) return this.tryGrant()
    for (const task of this.tasks.values()) {
      if (task.state === 'paused' || task.state === 'pausing') {
        task.state = 'running'
        task.send({ type: 'resume' })
      }
    }
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const wake of waiters) wake()
  }
}
