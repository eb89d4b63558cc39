// End-to-end: `mltest run --typecheck` and `mltest typecheck` (core/node/typecheck.ts) with
// the real CLI: a type error fails its file with its line through the JSON, JUnit and GitHub
// reporters (a plain run passes, as tsx strips types unchecked); an error in an imported
// helper is reported on the helper; a fixed project passes; without TypeScript, one line
// names the package.
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { makeProject, REPO, runCli } from './run-cli.ts'

const FILES = {
  'a.mltest.ts': `import { expect, test } from 'mltest'

const n: number = 'oops'
test('a runs anyway', () => { expect(String(n)).toBe('oops') })
`,
  'helper.ts': `export function double(x: number): number {
  return x * 2
}
export const label: string = double(2)
`,
  'b.mltest.ts': `import { expect, test } from 'mltest'
import { double } from './helper.ts'
test('b', () => { expect(double(2)).toBe(4) })
`,
  'c.mltest.ts': `import { test } from 'mltest'
test('c', () => {})
`,
  'tsconfig.json': JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true, noEmit: true, strict: true, skipLibCheck: true, types: ['node'] } }),
}

interface JsonRun {
  summary: { passed: number; failed: number; fileErrors: number }
  files: Array<{ file: string; errors: Array<{ name: string; message: string; location?: { file: string; line: number; column: number } }> }>
}

const withTypeScript = (t: Parameters<typeof makeProject>[0], files: Record<string, string>) => {
  const dir = makeProject(t, files)
  for (const pkg of ['typescript', '@types']) symlinkSync(join(REPO, 'node_modules', pkg), join(dir, 'node_modules', pkg), 'dir')
  return dir
}

t.test('a type error fails its file, with its line, through every reporter; a plain run passes', async (t) => {
  const dir = withTypeScript(t, FILES)
  const [plain, checked, only] = await Promise.all([
    runCli(dir, ['run', '--reporter', 'json:plain.json']),
    runCli(dir, ['run', '--typecheck', '--reporter', 'json:checked.json', '--reporter', 'junit:checked.xml', '--reporter', 'github'], { env: { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: dir } }),
    runCli(dir, ['typecheck', '--reporter', 'json:only.json']),
  ])
  t.equal(plain.code, 0, plain.stdout + plain.stderr)
  t.equal(plain.closing, 'mltest: 3 passed, 0 failed, 0 skipped')

  t.equal(checked.code, 1)
  const json = JSON.parse(readFileSync(join(dir, 'checked.json'), 'utf8')) as JsonRun
  t.equal(json.summary.passed, 3, 'the tests still ran')
  const errorsOf = (run: JsonRun, name: string) => run.files.find((f) => f.file.endsWith(name))?.errors ?? []
  const [aError] = errorsOf(json, 'a.mltest.ts')
  t.equal(aError?.name, 'TS2322')
  t.equal(aError?.message, "type error: Type 'string' is not assignable to type 'number'.")
  t.same({ line: aError?.location?.line, column: aError?.location?.column }, { line: 3, column: 7 })
  const [helperError] = errorsOf(json, 'helper.ts')
  t.same({ name: helperError?.name, line: helperError?.location?.line }, { name: 'TS2322', line: 4 }, 'an imported helper\'s error is reported on the helper')
  t.same(errorsOf(json, 'c.mltest.ts'), [])
  t.match(checked.stderr, /mltest: typecheck: 2 type errors in 2 of 4 files \(tsconfig\.json\)/)
  t.match(readFileSync(join(dir, 'checked.xml'), 'utf8'), /TS2322/, 'JUnit')
  t.match(checked.stdout, /::error file=a\.mltest\.ts,line=3,col=7,title=file error::TS2322: type error: Type 'string' is not assignable to type 'number'\./, 'a GitHub annotation on the line')

  t.equal(only.code, 1)
  const onlyJson = JSON.parse(readFileSync(join(dir, 'only.json'), 'utf8')) as JsonRun
  t.same(onlyJson.summary, { ...onlyJson.summary, passed: 0, failed: 0, fileErrors: 2 }, 'mltest typecheck runs no test')
})

t.test('a project without type errors passes mltest typecheck; without TypeScript, one line names the package', async (t) => {
  const fixed = { ...FILES, 'a.mltest.ts': FILES['a.mltest.ts'].replace("const n: number = 'oops'", "const n: string = 'oops'"), 'helper.ts': FILES['helper.ts'].replace('label: string', 'label: number') }
  const dir = withTypeScript(t, fixed)
  const bare = makeProject(t, FILES)
  const [clean, missing] = await Promise.all([runCli(dir, ['typecheck']), runCli(bare, ['run', '--typecheck'])])
  t.equal(clean.code, 0, clean.stdout + clean.stderr)
  t.match(clean.stderr, /mltest: typecheck: no type errors in 4 files \(tsconfig\.json, [\d.]+ s\)/)
  t.equal(missing.code, 2)
  t.equal(missing.stderr.trim(), 'mltest: --typecheck needs the "typescript" package in the project — install it: npm install --save-dev typescript')
})

t.test('a broken tsconfig is a usage error (exit 2) naming it, before any test runs', async (t) => {
  const notJson = withTypeScript(t, { ...FILES, 'tsconfig.json': '{bad' })
  const unknownOption = withTypeScript(t, { ...FILES, 'tsconfig.json': '{"compilerOptions":{"bogusOpt":1}}' })
  const [a, b] = await Promise.all([runCli(notJson, ['typecheck']), runCli(unknownOption, ['run', '--typecheck'])])
  t.equal(a.code, 2, a.stderr)
  t.match(a.stderr, /^mltest: tsconfig\.json: .*\(TS1136\) — fix the tsconfig, then run again$/m)
  t.equal(b.code, 2, b.stderr)
  t.match(b.stderr, /^mltest: tsconfig\.json: Unknown compiler option 'bogusOpt'\. \(TS5023\) — fix the tsconfig, then run again$/m)
  t.notMatch(b.stdout, /passed/, 'no test ran')
})
