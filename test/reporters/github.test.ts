// The github reporter: workflow-command annotations escaped by GitHub's rules (checked by
// decoding them back the way the runner does), a Markdown job summary appended to
// $GITHUB_STEP_SUMMARY, and silence outside GitHub Actions.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { escapeData, escapeProperty, workflowCommand } from '../../reporters/github/commands.ts'
import { cell } from '../../reporters/github/summary.ts'
import { cli, WEIRD_NAME, writeProject } from './_project.ts'

/** What GitHub's runner does with a command line: split, then undo the escaping. */
function decodeCommand(line: string): { level: string; props: Record<string, string>; message: string } {
  const m = /^::(\w+)(?: ([^:]*))?::(.*)$/.exec(line)
  if (!m) throw new Error(`not a workflow command: ${line}`)
  const unData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
  const unProp = (s: string) => unData(s.replace(/%3A/g, ':').replace(/%2C/g, ','))
  const props = Object.fromEntries((m[2] ?? '').split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), unProp(kv.slice(kv.indexOf('=') + 1))]))
  return { level: m[1]!, props, message: unData(m[3]!) }
}

t.test('escaping follows GitHub\'s rules', async (t) => {
  t.equal(escapeData('50% done\r\nnext'), '50%25 done%0D%0Anext')
  t.equal(escapeProperty('a:b,c%\n'), 'a%3Ab%2Cc%25%0A')
  t.equal(escapeData('%0A'), '%250A', 'an already-escaped-looking text survives')
  const line = workflowCommand('error', { file: 'a,b.ts', line: 3, title: 'x: y, z' }, 'multi\nline 100%')
  t.equal(line, '::error file=a%2Cb.ts,line=3,title=x%3A y%2C z::multi%0Aline 100%25')
  t.same(decodeCommand(line), { level: 'error', props: { file: 'a,b.ts', line: '3', title: 'x: y, z' }, message: 'multi\nline 100%' })
  t.equal(cell('a | b\n<c>'), 'a \\| b &lt;c&gt;', 'summary cells: one line, pipes and HTML escaped')
})

t.test('under GitHub Actions: annotations at the failing lines and a job summary', async (t) => {
  const project = writeProject()
  t.teardown(project.cleanup)
  const summaryFile = join(project.dir, 'step-summary.md')
  writeFileSync(summaryFile, '# earlier step\n')
  const env = { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summaryFile, GITHUB_WORKSPACE: project.dir }
  const r = cli(['run', '--seed', '5', '--reporter', 'github', '--reporter', 'json:out/run.json', '--reporter', 'console'], project.dir, env)
  t.equal(r.status, 1)
  const commands = r.stdout.split('\n').filter((l) => l.startsWith('::')).map(decodeCommand)
  const errors = commands.filter((c) => c.level === 'error')
  t.equal(errors.length, 5, '4 failed tests and 1 file error')
  t.match(errors.find((c) => c.props.title === 'model > equal objects'), { props: { file: 'b-mixed.mltest.ts', line: '4', col: '45' }, message: /toEqual[\s\S]*-\s+4,\n\+\s+3,/ })
  t.match(errors.find((c) => c.props.title === 'model > throws a TypeError'), { props: { line: '8' }, message: /^TypeError: Cannot read properties of undefined/ })
  const weird = errors.find((c) => c.props.title === `model > ${WEIRD_NAME}`)
  t.ok(weird, 'a title with any characters decodes back exactly')
  t.match(weird!.message, 'lone surrogate\nsecond line')
  t.match(errors.find((c) => c.props.title === 'file error'), { props: { file: 'c-broken.mltest.ts' }, message: /cannot load the model registry/ })
  t.match(commands.find((c) => c.level === 'warning'), { props: { title: 'inconclusive: model > inconclusive drift' }, message: /n = 40 is below the 120 samples the test needs for 80% power/ })
  t.match(r.stdout.trimEnd().split('\n').at(-1), /^mltest: 3 passed, 4 failed/, 'the console closing line is still last')

  const summary = readFileSync(summaryFile, 'utf8')
  t.match(summary, /^# earlier step\n## ❌ mltest\n/, 'appended, not overwritten')
  t.match(summary, '| 3 | 4 | 1 | 1 | 1 | 1 |')
  t.match(summary, /\| b-mixed\.mltest\.ts:4 \| model &gt; equal objects \| Error: expect\(received\)\.toEqual\(expected\) \/\/ deep equality \|/)
  t.match(summary, '| stable check | checkStability | numerical-stability | pass | max \\|err\\| 1e-7 &lt;= 1e-5 |')

  t.test('outside GitHub Actions the same reporter prints nothing', async (t) => {
    const quiet = cli(['report', 'out/run.json', '--reporter', 'github', '--reporter', 'github:out/summary.md'], project.dir, { GITHUB_STEP_SUMMARY: summaryFile })
    t.equal(quiet.status, 1)
    t.equal(quiet.stdout, '')
    t.equal(readFileSync(summaryFile, 'utf8'), summary, 'the step summary is untouched')
    t.match(readFileSync(join(project.dir, 'out/summary.md'), 'utf8'), /^## ❌ mltest\n/, 'github:PATH writes the summary Markdown')
  })
})
