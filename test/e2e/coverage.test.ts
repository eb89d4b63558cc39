// End-to-end: `mltest run --coverage` (core/node/coverage.ts, core/worker/coverage.ts) with the
// real CLI on test/fixtures/coverage, whose covered lines are known: src/scale.ts has 15
// countable lines, of which 10 run (never `return hi` on line 10, `return values` on line 18,
// nor standardise's body, lines 24-26); 6 branches, 4 taken; 7 functions, 3 called.
// src/percent.ts has 2 lines, both run. The lcov, cobertura and json-summary files must give
// exactly these counts with worker threads (one long-lived worker, two, or a fresh one per
// file) and child processes; thresholds fail the run with one line each; a plain run writes
// and loads nothing of coverage.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { makeProject, REPO, runCli } from './run-cli.ts'
import { xmllintMissing } from '../xsd.ts'

const FIXTURE = join(REPO, 'test', 'fixtures', 'coverage')

function filesOf(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of readdirSync(dir)) {
    const full = join(dir, name)
    if (statSync(full).isDirectory()) Object.assign(out, filesOf(full, `${prefix}${name}/`))
    else out[`${prefix}${name}`] = readFileSync(full, 'utf8')
  }
  return out
}

const project = (tt: Parameters<typeof makeProject>[0], extra: Record<string, string> = {}) => makeProject(tt, { ...filesOf(FIXTURE), ...extra })

interface LcovFile {
  lines: { found: number; hit: number; uncovered: number[] }
  branches: { found: number; hit: number }
  functions: { found: number; hit: number }
}

/** lcov.info by source file: the LF/LH, BRF/BRH, FNF/FNH records and the DA lines with 0 hits. */
function parseLcov(text: string): Record<string, LcovFile> {
  const out: Record<string, LcovFile> = {}
  for (const record of text.split('end_of_record').filter((r) => r.trim())) {
    const field = (name: string) => {
      const m = new RegExp(`^${name}:(\\d+)$`, 'm').exec(record)
      if (!m) throw new Error(`lcov record without ${name}: ${record}`)
      return Number(m[1])
    }
    const source = /^SF:(.*)$/m.exec(record)![1]!
    const uncovered = [...record.matchAll(/^DA:(\d+),0$/gm)].map((m) => Number(m[1]))
    out[source] = {
      lines: { found: field('LF'), hit: field('LH'), uncovered },
      branches: { found: field('BRF'), hit: field('BRH') },
      functions: { found: field('FNF'), hit: field('FNH') },
    }
  }
  return out
}

const EXPECTED: Record<string, LcovFile> = {
  'src/percent.ts': { lines: { found: 2, hit: 2, uncovered: [] }, branches: { found: 0, hit: 0 }, functions: { found: 1, hit: 1 } },
  'src/scale.ts': { lines: { found: 15, hit: 10, uncovered: [10, 18, 24, 25, 26] }, branches: { found: 6, hit: 4 }, functions: { found: 7, hit: 3 } },
}

function xpath(file: string, expression: string): string {
  const r = spawnSync('xmllint', ['--xpath', expression, file], { encoding: 'utf8' })
  if (r.status !== 0 && r.status !== 10) throw new Error(`xmllint failed on ${file}: ${r.stderr}`)
  return r.stdout.trim()
}

/** Checks every report of a `--coverage` run in `dir` against the fixture's known counts. */
function checkReports(tt: Test, dir: string, stdout: string, stderr: string) {
  const lcov = parseLcov(readFileSync(join(dir, 'coverage', 'lcov.info'), 'utf8'))
  tt.same(lcov, EXPECTED, 'lcov: exactly the fixture sources (no test file, no mltest file, nothing from node_modules), with the known counts and uncovered lines')

  if (xmllintMissing) tt.comment(`cobertura not parsed: ${xmllintMissing}`)
  else {
    const cobertura = join(dir, 'coverage', 'cobertura-coverage.xml')
    tt.equal(xpath(cobertura, 'concat(/coverage/@lines-valid, " ", /coverage/@lines-covered, " ", /coverage/@branches-valid, " ", /coverage/@branches-covered)'), '17 12 6 4', 'cobertura: lines-valid, lines-covered, branches-valid, branches-covered')
    const zeroHits = xpath(cobertura, '//class[@filename="src/scale.ts"]/lines/line[@hits="0"]/@number').match(/\d+/g)!.map(Number).sort((a, b) => a - b)
    tt.same(zeroHits, [10, 18, 24, 25, 26], 'cobertura: the uncovered lines of src/scale.ts')
    tt.equal(xpath(cobertura, 'count(//class)'), '2', 'cobertura: one class per source file')
  }

  const summary = JSON.parse(readFileSync(join(dir, 'coverage', 'coverage-summary.json'), 'utf8')) as Record<string, Record<string, { total: number; covered: number; pct: number }>>
  // istanbul truncates percentages to two decimals: 12/17 = 70.588...% → 70.58.
  const pct = (covered: number, total: number) => Math.floor((covered / total) * 10000) / 100
  const totals = { lines: [12, 17], branches: [4, 6], functions: [4, 8], statements: [17, 23] } as const
  for (const [metric, [covered, total]] of Object.entries(totals)) {
    tt.same(summary.total![metric], { total, covered, skipped: 0, pct: pct(covered, total) }, `json-summary: total ${metric} ${covered}/${total}`)
  }
  tt.same(Object.keys(summary).sort(), ['src/percent.ts', 'src/scale.ts', 'total'])
  tt.match(stdout, /^Lines\s+: 70\.58% \( 12\/17 \)$/m, 'text-summary on the console')
  tt.match(stderr, /^mltest: coverage reports: coverage\/lcov\.info, coverage\/cobertura-coverage\.xml, coverage\/coverage-summary\.json, coverage\/index\.html$/m)
  tt.ok(existsSync(join(dir, 'coverage', 'index.html')) && existsSync(join(dir, 'coverage', 'scale.ts.html')), 'html report with a page per source')
}

for (const args of [['--workers', '2'], ['--workers', '1'], ['--isolate', 'file', '--workers', '1'], ['--isolate', 'process', '--workers', '2']]) {
  t.test(`--coverage ${args.join(' ')}: the reports give the fixture's known counts`, async (tt) => {
    const dir = project(tt)
    const run = await runCli(dir, ['run', '--coverage', ...args])
    tt.equal(run.code, 0, run.stderr)
    tt.match(run.stdout, /^mltest: 3 passed, 0 failed, 0 skipped$/m)
    checkReports(tt, dir, run.stdout, run.stderr)
  })
}

t.test("worker-scoped fixtures: their teardown after the worker's last file is counted", async (tt) => {
  const dir = makeProject(tt, {
    'src/resource.ts': 'export function open(): number {\n  return 1\n}\n\nexport function release(): void {\n  void 0\n}\n',
    'a.mltest.ts': `import { test as base, expect } from 'mltest'
import { open, release } from './src/resource.ts'
const test = base.extend<{ resource: number }>({
  resource: [async ({}, use: (value: number) => Promise<void>) => { const r = open(); await use(r); release() }, { scope: 'worker' }],
})
test('uses the resource', ({ resource }) => { expect(resource).toBe(1) })
`,
  })
  for (const isolate of ['none', 'process']) {
    const run = await runCli(dir, ['run', '--coverage', '--isolate', isolate])
    tt.equal(run.code, 0, run.stderr)
    const lcov = readFileSync(join(dir, 'coverage', 'lcov.info'), 'utf8')
    tt.match(lcov, /^FNDA:1,open$/m, `--isolate ${isolate}: set-up counted`)
    tt.match(lcov, /^FNDA:1,release$/m, `--isolate ${isolate}: teardown counted`)
  }
})

t.test('thresholds: one line per breached threshold and exit 1; met thresholds pass', async (tt) => {
  const breached = project(tt, {
    'mltest.config.ts': `export default { coverage: { thresholds: { lines: 90, branches: 50, functions: 60, statements: 90 } } }\n`,
  })
  const met = project(tt, {
    'mltest.config.ts': `export default { coverage: { thresholds: { lines: 70.5, branches: 66, functions: 50, statements: 73 } } }\n`,
  })
  const [bad, good] = await Promise.all([runCli(breached, ['run', '--coverage']), runCli(met, ['run', '--coverage'])])
  tt.equal(bad.code, 1)
  tt.same(bad.stderr.split('\n').filter((l) => l.startsWith('mltest: coverage:')), [
    'mltest: coverage: lines 70.58% is below the threshold 90% (12 of 17 covered) — add tests for the uncovered code or lower coverage.thresholds.lines',
    'mltest: coverage: functions 50% is below the threshold 60% (4 of 8 covered) — add tests for the uncovered code or lower coverage.thresholds.functions',
    'mltest: coverage: statements 73.91% is below the threshold 90% (17 of 23 covered) — add tests for the uncovered code or lower coverage.thresholds.statements',
  ], 'branches (66.66% >= 50%) is not reported')
  tt.match(bad.stdout, /^mltest: 3 passed, 0 failed, 0 skipped$/m, 'the tests themselves passed')
  tt.equal(good.code, 0, good.stderr)
  tt.notMatch(good.stderr, /coverage:/)
})

t.test('config: coverage.enabled, include/exclude, reporters and dir', async (tt) => {
  const excluded = project(tt, {
    'mltest.config.ts': `export default { coverage: { enabled: true, exclude: ['src/percent.ts'], reporters: ['lcov'], dir: 'out/cov' } }\n`,
  })
  const included = project(tt, {
    'mltest.config.ts': `export default { coverage: { enabled: true, include: ['src/percent.ts'], reporters: ['json-summary', 'lcov'] } }\n`,
  })
  const [a, b] = await Promise.all([runCli(excluded, ['run']), runCli(included, ['run'])])
  tt.equal(a.code, 0, a.stderr)
  tt.same(Object.keys(parseLcov(readFileSync(join(excluded, 'out', 'cov', 'lcov.info'), 'utf8'))), ['src/scale.ts'], 'exclude leaves percent.ts out')
  tt.same(readdirSync(join(excluded, 'out', 'cov')), ['lcov.info'], 'only the chosen reporter wrote')
  tt.notMatch(a.stdout, /Coverage summary/, 'no text-summary when not chosen')
  tt.notOk(existsSync(join(excluded, 'coverage')))
  tt.equal(b.code, 0, b.stderr)
  tt.same(parseLcov(readFileSync(join(included, 'coverage', 'lcov.info'), 'utf8')), { 'src/percent.ts': EXPECTED['src/percent.ts'] }, 'include keeps only percent.ts')
})

t.test('bad coverage settings are a usage error (exit 2) before anything runs', async (tt) => {
  const misspelt = project(tt, { 'mltest.config.ts': `export default { coverage: { thresholds: { line: 90 } } }\n` })
  const tooHigh = project(tt, { 'mltest.config.ts': `export default { coverage: { thresholds: { lines: 120 } } }\n` })
  const [a, b] = await Promise.all([runCli(misspelt, ['run', '--coverage']), runCli(tooHigh, ['run', '--coverage'])])
  tt.equal(a.code, 2)
  tt.match(a.stderr, /^mltest: mltest\.config\.ts: unknown key "coverage\.thresholds\.line" — did you mean "lines"\? \(known: lines, branches, functions, statements\)/m)
  tt.equal(b.code, 2)
  tt.match(b.stderr, /key "coverage\.thresholds\.lines" must be a number <= 100 \(got 120\)/)
  tt.notOk(existsSync(join(misspelt, 'coverage')) || existsSync(join(tooHigh, 'coverage')), 'nothing ran')
})

t.test('without --coverage: no report written, no coverage code loaded', async (tt) => {
  // A loader hook that logs the coverage modules (core/node/coverage.ts, core/worker/coverage.ts,
  // monocart) any thread resolves; the --coverage run shows it does see them. Not watched:
  // picomatch (discovery loads it anyway) and node:inspector (tap's own NODE_V8_COVERAGE loads it).
  const hook = `export async function resolve(specifier, context, next) {
  const r = await next(specifier, context)
  if (/monocart|\\/coverage\\.ts$/.test(r.url)) (await import('node:fs')).appendFileSync(process.env.TRACE_FILE, r.url + '\\n')
  return r
}\n`
  const dir = project(tt, {
    'trace-hook.mjs': hook,
    'trace.mjs': `import { register } from 'node:module'\nregister('./trace-hook.mjs', import.meta.url)\n`,
  })
  const env = (name: string) => ({ NODE_OPTIONS: `--import=${join(dir, 'trace.mjs')}`, TRACE_FILE: join(dir, name) })
  const plain = await runCli(dir, ['run'], { env: env('plain.log') })
  tt.equal(plain.code, 0, plain.stderr)
  tt.notOk(existsSync(join(dir, 'coverage')), 'no coverage folder')
  tt.equal(existsSync(join(dir, 'plain.log')) ? readFileSync(join(dir, 'plain.log'), 'utf8') : '', '', 'no coverage module resolved')
  const covered = await runCli(dir, ['run', '--coverage'], { env: env('covered.log') })
  tt.equal(covered.code, 0, covered.stderr)
  const loaded = readFileSync(join(dir, 'covered.log'), 'utf8')
  tt.match(loaded, /monocart-coverage-reports/, 'the trace sees monocart when coverage is on')
  tt.match(loaded, /core\/node\/coverage\.ts/)
  tt.match(loaded, /core\/worker\/coverage\.ts/, 'and the workers\' collector')
})

const DENO = join(REPO, 'node_modules', '.bin', 'deno')
t.test('on Deno: a one-line usage error', { skip: existsSync(DENO) ? false : 'deno is not installed (npm install deno)' }, async (tt) => {
  const dir = project(tt)
  const r = spawnSync(DENO, ['run', '-A', '--node-modules-dir=manual', join(REPO, 'bin', 'mltest.mjs'), 'run', '--coverage'], { cwd: dir, encoding: 'utf8', timeout: 120_000 })
  tt.equal(r.status, 2)
  tt.match(r.stderr, /^mltest: --coverage is not supported on Deno [\d.]+: .* — run the coverage job on Node \(npx mltest run --coverage\)\n$/)
  tt.notOk(existsSync(join(dir, 'coverage')))
})
