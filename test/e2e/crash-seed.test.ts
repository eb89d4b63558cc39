// End-to-end: a test whose worker dies (process.exit, a blocking loop, a crashing beforeAll)
// is reported by the main thread, and its JSON and JUnit seed is the one the worker gives the
// same test when it runs normally, so the replay line reproduces it. It was once 0.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { makeProject, runCli } from './run-cli.ts'

// With CRASH set, each of the first three tests ends its worker in its own way.
const dir = makeProject(t, {
  'dies.mltest.ts': `import { beforeAll, describe, test } from 'mltest'
const crash = process.env.CRASH === '1'
test('exits', () => { if (crash) process.exit(3) })
test('blocks', () => { if (crash) for (;;) {} }, { timeout: 200 })
describe('block', () => {
  beforeAll(() => { if (crash) process.exit(5) })
  test('guarded', () => {})
})
test('survives', () => {})
`,
})

interface JsonTest {
  fullName: string
  state: string
  seed: number
  error?: { kind: string; message: string }
}

const seedsOf = (file: string) => {
  const json = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { files: Array<{ tests: JsonTest[] }> }
  return new Map(json.files.flatMap((f) => f.tests).map((test) => [test.fullName, test]))
}

const common = ['run', '--no-color', '--workers', '1', '--seed', '77']
const crashed = runCli(dir, [...common, '--reporter', 'json:crashed.json', '--reporter', 'junit:crashed.xml'], { env: { CRASH: '1' } })
const normal = runCli(dir, [...common, '--reporter', 'json:normal.json'])

t.test('a crashed, hung or hook-crashed test keeps its real seed in JSON and JUnit', async (t) => {
  const [bad, good] = await Promise.all([crashed, normal])
  t.equal(good.code, 0, good.stdout + good.stderr)
  t.equal(bad.code, 1, bad.stdout + bad.stderr)
  const worker = seedsOf('normal.json')
  const main = seedsOf('crashed.json')
  const junit = readFileSync(join(dir, 'crashed.xml'), 'utf8')
  const cases = { exits: 'crash', blocks: 'timeout', 'block > guarded': 'crash' }
  for (const [name, kind] of Object.entries(cases)) {
    const ran = worker.get(name)!
    const died = main.get(name)!
    t.equal(ran.state, 'passed', `${name} passes without CRASH`)
    t.match(died, { state: 'failed', error: { kind } }, `${name} was reported by the main thread`)
    t.not(died.seed, 0, `${name}: JSON seed is not 0`)
    t.equal(died.seed, ran.seed, `${name}: JSON seed is the worker's seed`)
    const property = new RegExp(`<property name="${name.replace('>', '&gt;')} :: seed" value="(\\d+)"`).exec(junit)
    t.equal(Number(property?.[1]), ran.seed, `${name}: JUnit seed is the worker's seed`)
  }
  t.equal(main.get('survives')?.state, 'passed', 'the rest of the file ran on a fresh worker')
})
