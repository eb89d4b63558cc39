// A reporter that throws or cannot write its file makes the run exit non-zero with a clear
// message, while the other reporters still write.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { cli, writeProject } from './_project.ts'

const project = writeProject()
t.teardown(project.cleanup)
const at = (name: string) => join(project.dir, name)

t.test('an unwritable path fails the run; the console names it and the json is written', async (t) => {
  writeFileSync(at('blocker'), 'a file, so blocker/x.xml cannot be created')
  const r = cli(['run', 'a-pass.mltest.ts', '--reporter', 'junit:blocker/x.xml', '--reporter', 'json:out/ok.json', '--reporter', 'console'], project.dir)
  t.equal(r.status, 1, 'all tests passed, but a reporter failed')
  t.match(r.stdout, /run error: reporter "junit" failed in onRunEnd: cannot write .*blocker\/x\.xml \((ENOTDIR|EEXIST)\) — pass a writable path: --reporter junit:PATH/)
  t.match(r.stdout.trimEnd().split('\n').at(-1), /^mltest: 2 passed, 0 failed, 0 skipped$/)
  t.equal(JSON.parse(readFileSync(at('out/ok.json'), 'utf8')).summary.passed, 2, 'the json reporter still wrote')
})

t.test('without a console the error goes to stderr', async (t) => {
  const r = cli(['run', 'a-pass.mltest.ts', '--reporter', 'json:blocker/x.json', '--reporter', 'junit:out/ok.xml'], project.dir)
  t.equal(r.status, 1)
  t.match(r.stderr, /^mltest: reporter "json" failed in onRunEnd: cannot write /m)
  t.ok(existsSync(at('out/ok.xml')), 'the junit reporter still wrote')
})

t.test('a reporter object from the config that throws', async (t) => {
  writeFileSync(
    at('mltest.config.ts'),
    `export default {
  reporters: [{ onRunEnd() { throw new Error('upload service unreachable') } }, 'junit:out/cfg.xml', 'console'],
}
`,
  )
  t.teardown(() => writeFileSync(at('mltest.config.ts'), 'export default {}\n'))
  const r = cli(['run', 'a-pass.mltest.ts'], project.dir)
  t.equal(r.status, 1)
  t.match(r.stdout, /run error: reporter "reporters\[0\]" failed in onRunEnd: upload service unreachable/)
  t.ok(existsSync(at('out/cfg.xml')), 'the junit reporter from the config still wrote')

  writeFileSync(at('mltest.config.ts'), `export default { reporters: ['junit:out/cfg2.xml', 'console'] }\n`)
  const ok = cli(['run', 'a-pass.mltest.ts'], project.dir)
  t.equal(ok.status, 0, 'the same run with working reporters passes')
  t.ok(existsSync(at('out/cfg2.xml')))
})
