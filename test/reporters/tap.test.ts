// The tap reporter, read by a real TAP consumer (tap-parser): TAP 14 with per-file
// subtests, YAML diagnostics for failures, SKIP/TODO directives, and escaped names.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { Parser, type FinalResults, type TapError } from 'tap-parser'
import { tapEscape } from '../../reporters/tap/index.ts'
import { cli, WEIRD_NAME, writeProject } from './_project.ts'

interface Parsed {
  final: FinalResults
  asserts: Array<{ ok: boolean; name: string; fullname: string; diag: Record<string, unknown> | null; skip: string | boolean; todo: string | boolean }>
  errors: TapError[]
}

function parse(tap: string): Parsed {
  const asserts: Parsed['asserts'] = []
  const errors: TapError[] = []
  let final: FinalResults | undefined
  const parser = new Parser((results) => (final = results))
  parser.on('assert', (a) => asserts.push(a))
  parser.on('child', (child: Parser) => child.on('assert', (a) => asserts.push(a)))
  parser.on('parseError', (e: TapError) => errors.push(e))
  parser.end(tap)
  return { final: final!, asserts, errors }
}

t.test('a run with failures parses cleanly and reports them with YAML diagnostics', async (t) => {
  const project = writeProject()
  t.teardown(project.cleanup)
  const r = cli(['run', '--seed', '3', '--reporter', 'tap'], project.dir)
  t.equal(r.status, 1)
  t.match(r.stdout, /^TAP version 14\n/)
  const { final, asserts, errors } = parse(r.stdout)
  t.same(errors, [], 'no parse errors')
  t.equal(final.ok, false)
  t.equal(final.count, 4, 'one top-level point per file')
  t.equal(final.plan.end, 4)

  const byName = (name: string) => asserts.find((a) => a.name === name)
  const equal = byName('model > equal objects')!
  t.equal(equal.ok, false)
  t.match(equal.diag, { severity: 'fail', kind: 'assertion', name: 'Error', at: { line: 4 } })
  t.match(String(equal.diag!.message), /toEqual/)
  t.match(String(equal.diag!.message), /-\s+4,\n\+\s+3,/, 'the diff arrives with its lines intact')
  t.equal(byName('model > skipped one')!.skip, true)
  t.ok(byName('model > later')!.todo, 'todo directive')
  t.equal(byName('model > inconclusive drift')!.skip, 'inconclusive: checkDrift: n = 40 is below the 120 samples the test needs for 80% power', "the check's reason, not its figures")
  t.match(byName('slow')!.diag, { kind: 'timeout', name: 'TimeoutError' })
  t.match(asserts.find((a) => a.name.startsWith('(file error)'))!.diag, { message: /cannot load the model registry/ })

  const weird = asserts.find((a) => a.name.startsWith('model > quotes'))!
  t.equal(weird.name, `model > ${WEIRD_NAME}`.replace('\u0001', '\\u0001').replace('\u0007', '\\u0007'), '# and \\ round-trip through the escaping')
  t.match(String(weird.diag!.message), 'lone surrogate\nsecond line')
})

t.test('a passing run is ok to the parser, and --reporter tap:PATH writes a file', async (t) => {
  const project = writeProject()
  t.teardown(project.cleanup)
  const r = cli(['run', 'a-pass.mltest.ts', '--reporter', 'tap:out/a.tap'], project.dir)
  t.equal(r.status, 0, r.stderr)
  t.equal(r.stdout, 'mltest: 2 passed, 0 failed, 0 skipped\n', 'only the closing line on stdout when the TAP goes to a file')
  const { final, asserts, errors } = parse(readFileSync(join(project.dir, 'out/a.tap'), 'utf8'))
  t.same(errors, [])
  t.equal(final.ok, true)
  t.same(asserts.map((a) => a.name), ['adds', 'stable check', 'a-pass.mltest.ts'])
})

t.test('--inconclusive fail: an inconclusive verdict is not ok, its reason the message', async (t) => {
  const project = writeProject()
  t.teardown(project.cleanup)
  const r = cli(['run', 'b-mixed.mltest.ts', '--inconclusive', 'fail', '--reporter', 'tap'], project.dir)
  const { asserts, errors } = parse(r.stdout)
  t.same(errors, [])
  const point = asserts.find((a) => a.name === 'model > inconclusive drift')!
  t.equal(point.ok, false)
  t.equal(point.diag!.message, 'inconclusive: checkDrift: n = 40 is below the 120 samples the test needs for 80% power')
  t.match(point.diag!.checks, [{ check: 'checkDrift', reason: 'n = 40 is below the 120 samples the test needs for 80% power' }])
})

t.test('tapEscape', async (t) => {
  t.equal(tapEscape('a # b \\ c'), 'a \\# b \\\\ c')
  t.equal(tapEscape('line\nbreak\r\nagain'), 'line break again')
  t.equal(tapEscape('bell\u0007'), 'bell\\u0007')
})
