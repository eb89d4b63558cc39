// The console reporter on the sample project: an inconclusive test states why (its check's
// reason sentence), `--inconclusive fail` says how many inconclusive verdicts failed the run,
// and annotations print at report precision (full precision stays in JSON).
import t from 'tap'
import { cli, writeProject } from './_project.ts'

const project = writeProject()
t.teardown(project.cleanup)
const REASON = 'checkDrift: n = 40 is below the 120 samples the test needs for 80% power'

t.test('an inconclusive test shows its reason; by default it does not fail the run', async (t) => {
  const r = cli(['run', 'a-pass.mltest.ts', 'b-mixed.mltest.ts', '--reporter', 'console'], project.dir)
  t.equal(r.status, 1, 'b-mixed has failures')
  t.match(r.stdout, `? model > inconclusive drift — inconclusive: ${REASON}\n`)
  t.match(r.stdout, /▸ checkDrift \[drift\] inconclusive — p = 0\.07, n = 40: not enough evidence/, 'the figures stay on the check line')
  t.notMatch(r.stdout, /count(s)? as (a )?failures?/, 'no failure line without --inconclusive fail')
  t.match(r.stdout, /accuracy = 0\.93 · loss = 0\.3\n/, 'annotations at report precision: 0.1 + 0.2 prints 0.3')
  t.notMatch(r.stdout, /0\.30000000000000004/)
})

t.test('--inconclusive fail: the console says how many inconclusive verdicts failed the run', async (t) => {
  const r = cli(['run', 'a-pass.mltest.ts', 'b-mixed.mltest.ts', '--inconclusive', 'fail'], project.dir)
  const lines = r.stdout.trimEnd().split('\n')
  t.equal(lines.at(-2), '1 inconclusive verdict counts as a failure (--inconclusive fail)')
  t.match(lines.at(-1), /^mltest: \d+ passed, \d+ failed, 1 skipped, 1 todo, 1 inconclusive$/)
  // Only the inconclusive verdict fails this run.
  const only = cli(['run', 'b-mixed.mltest.ts', '-t', 'inconclusive drift', '--inconclusive', 'fail'], project.dir)
  t.equal(only.status, 1, 'the inconclusive verdict alone fails the run')
  t.match(only.stdout, /\n1 inconclusive verdict counts as a failure \(--inconclusive fail\)\nmltest: 0 passed, 0 failed, \d+ skipped, 1 inconclusive\n$/)
  const passing = cli(['run', 'b-mixed.mltest.ts', '-t', 'inconclusive drift'], project.dir)
  t.equal(passing.status, 0, 'without the flag it passes')
  t.notMatch(passing.stdout, /counts as a failure/)
})
