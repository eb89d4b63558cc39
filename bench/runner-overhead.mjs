#!/usr/bin/env node
/**
 * Runner overhead: how long does each test runner take to run a large suite of trivial
 * TypeScript test files, where nearly all the time is the runner itself (start-up,
 * transforming TypeScript, loading modules, scheduling files, reporting)?
 *
 * It generates the same suite three times, once per runner's test API — N files x T tests,
 * every file importing a small local TS module (helpers/math.ts):
 *   - mltest       files import from 'mltest' (node_modules/mltest is a symlink to this repo)
 *   - node --test  files use node:test + node:assert, run as `node --import tsx --test <files>`
 *   - vitest       files import from 'vitest', run as `vitest run --pool threads`
 *   - mltest on Deno  the mltest suite again, the CLI run by `deno run -A --node-modules-dir=manual`
 *                  (the npm package deno, node_modules/.bin/deno; skipped when absent)
 * and, as the floor, one plain node process that imports every node:test file with tsx.
 * vitest@3 is installed once into bench/.work/vitest/ (gitignored) and reused on reruns.
 *
 * Repetitions are interleaved (one rep of each runner, then the next rep) because the machine
 * is noisy; it prints each runner's median wall time, the mltest/vitest and mltest/node
 * ratios, the exact commands and the machine. Every run must report all N*T tests passed,
 * otherwise the script stops with the runner's output.
 *
 * Run:  node bench/runner-overhead.mjs [--files 200 --tests 5 --reps 3 --skip vitest,node,floor]
 *       [--mltest-args="--workers 1"]   extra arguments for `mltest run` (Node and Deno)
 *       --skip deno   leaves out mltest on Deno
 *       --coverage    also times `mltest run --coverage` (V8 coverage of the suite's helper, with
 *                     all reports written) and prints its ratio to the plain mltest run
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { performance } from 'node:perf_hooks'

const repoDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const workDir = join(repoDir, 'bench', '.work')
const suiteDir = join(workDir, 'suite')
const vitestDir = join(workDir, 'vitest')
const tsxLoader = import.meta.resolve('tsx')

const { values: flags } = parseArgs({
  options: {
    files: { type: 'string', default: '200' },
    tests: { type: 'string', default: '5' },
    reps: { type: 'string', default: '3' },
    skip: { type: 'string', default: '' },
    'mltest-args': { type: 'string', default: '' },
    coverage: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (flags.help) {
  console.log('usage: node bench/runner-overhead.mjs [--files 200] [--tests 5] [--reps 3] [--skip vitest,node,floor] [--mltest-args="--workers 1"] [--coverage]')
  process.exit(0)
}
const fileCount = positiveInt('files')
const testsPerFile = positiveInt('tests')
const reps = positiveInt('reps')
const skip = new Set(flags.skip.split(',').map((s) => s.trim()).filter(Boolean))
const expectedTests = fileCount * testsPerFile
for (const name of skip) {
  if (!['mltest', 'deno', 'vitest', 'node', 'floor'].includes(name)) fail(`--skip got unknown runner "${name}" — use a comma-separated list of mltest, deno, vitest, node, floor`)
}

function positiveInt(name) {
  const n = Number(flags[name])
  if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a positive integer, got "${flags[name]}" — e.g. --${name} 3`)
  return n
}

function fail(message) {
  console.error(`runner-overhead: ${message}`)
  process.exit(1)
}

// ---------------------------------------------------------------------------- suite generation

const helperSource = `export function add(a: number, b: number): number {
  return a + b
}

export function dot(a: readonly number[], b: readonly number[]): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i]
  return sum
}

export function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length
}
`

/** The body of test j in file i, written against an `eq(actual, expected)` assertion. */
function testBody(i, j) {
  return `const xs: number[] = [${i}, ${j}, ${i + j}]
  eq(add(${i}, ${j}), ${i + j})
  eq(dot(xs, [1, 1, 1]), ${2 * (i + j)})
  eq(mean([${j}, ${j + 2}]), ${j + 1})`
}

/** One flavour per runner: its file name pattern, its imports, and how `eq` is spelled. */
const flavours = {
  mltest: { name: (i) => `file-${i}.mltest.ts`, header: `import { test, expect } from 'mltest'`, eq: (a, e) => `expect(${a}).toBe(${e})` },
  node: { name: (i) => `file-${i}.test.ts`, header: `import { test } from 'node:test'\nimport assert from 'node:assert/strict'`, eq: (a, e) => `assert.equal(${a}, ${e})` },
  vitest: { name: (i) => `file-${i}.test.ts`, header: `import { test, expect } from 'vitest'`, eq: (a, e) => `expect(${a}).toBe(${e})` },
}

function fileSource(flavour, i) {
  const tests = []
  for (let j = 1; j <= testsPerFile; j++) {
    const body = testBody(i, j).replace(/eq\((.+), (\S+)\)$/gm, (_, a, e) => flavour.eq(a, e))
    tests.push(`test('file ${i} test ${j}', () => {\n  ${body}\n})`)
  }
  return `${flavour.header}\nimport { add, dot, mean } from '../helpers/math.ts'\n\n${tests.join('\n\n')}\n`
}

/** Writes <root>/package.json, helpers/math.ts and tests/<files>; returns the test file paths. */
function writeProject(root, flavour) {
  rmSync(root, { recursive: true, force: true })
  mkdirSync(join(root, 'helpers'), { recursive: true })
  mkdirSync(join(root, 'tests'), { recursive: true })
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'bench-suite', private: true, type: 'module' }, null, 2) + '\n')
  writeFileSync(join(root, 'helpers', 'math.ts'), helperSource)
  const paths = []
  for (let i = 1; i <= fileCount; i++) {
    const path = join(root, 'tests', flavour.name(String(i).padStart(3, '0')))
    writeFileSync(path, fileSource(flavour, i))
    paths.push(path)
  }
  return paths
}

function ensureVitest() {
  const pkg = join(vitestDir, 'node_modules', 'vitest', 'package.json')
  if (!existsSync(pkg)) {
    console.log(`installing vitest@3 into ${vitestDir} (cached for reruns) ...`)
    mkdirSync(vitestDir, { recursive: true })
    writeFileSync(join(vitestDir, 'package.json'), JSON.stringify({ name: 'vitest-bench', private: true, type: 'module' }, null, 2) + '\n')
    const npm = spawnSync('npm', ['install', 'vitest@3', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: vitestDir, encoding: 'utf8', stdio: 'inherit' })
    if (npm.status !== 0 || !existsSync(pkg)) fail(`npm install vitest@3 failed in ${vitestDir} — check network access to the npm registry, then rerun`)
  }
  return readVersion(pkg)
}

function readVersion(packageJsonPath) {
  return JSON.parse(spawnSync(process.execPath, ['-p', `JSON.stringify(require(${JSON.stringify(packageJsonPath)}))`], { encoding: 'utf8' }).stdout).version
}

// ---------------------------------------------------------------------------- runners

/** Strips ANSI colour codes so the output can be parsed whatever the runner decides. */
const plain = (text) => text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')

/**
 * Each runner: the command to time (argv + cwd) and a parser that returns the number of
 * passed tests, or a string naming what is wrong with the output.
 */
function buildRunners() {
  const runners = []
  const nodeDir = join(suiteDir, 'node')
  const nodeFiles = writeProject(nodeDir, flavours.node)

  const deno = join(repoDir, 'node_modules', '.bin', 'deno')
  if (!skip.has('deno') && !existsSync(deno)) {
    console.log(`mltest on Deno skipped: ${deno} is missing (npm install --save-dev deno)`)
    skip.add('deno')
  }
  const extra = flags['mltest-args'].split(/\s+/).filter(Boolean)
  if (!skip.has('mltest') || !skip.has('deno')) {
    const dir = join(suiteDir, 'mltest')
    writeProject(dir, flavours.mltest)
    mkdirSync(join(dir, 'node_modules'), { recursive: true })
    symlinkSync(repoDir, join(dir, 'node_modules', 'mltest'), 'dir')
  }
  const mltestCount = (out) => {
    const m = /^mltest: (\d+) passed, (\d+) failed, (\d+) skipped/m.exec(out)
    if (!m) return 'no final "mltest: N passed, N failed, N skipped" line'
    if (m[2] !== '0' || m[3] !== '0') return `summary line says ${m[0]}`
    return Number(m[1])
  }
  if (!skip.has('deno')) {
    const dir = join(suiteDir, 'mltest')
    runners.push({
      name: 'mltest on Deno',
      version: spawnSync(deno, ['--version'], { encoding: 'utf8' }).stdout.split(' (')[0],
      cwd: dir,
      argv: [deno, 'run', '-A', '--node-modules-dir=manual', join(repoDir, 'bin', 'mltest.mjs'), 'run', 'tests', '--no-color', ...extra],
      count: mltestCount,
    })
  }
  if (!skip.has('mltest')) {
    const dir = join(suiteDir, 'mltest')
    runners.push({
      name: 'mltest',
      cwd: dir,
      argv: [process.execPath, join(repoDir, 'bin', 'mltest.mjs'), 'run', 'tests', '--no-color', ...extra],
      count: mltestCount,
    })
    if (flags.coverage) {
      runners.push({
        name: 'mltest --coverage',
        cwd: dir,
        argv: [process.execPath, join(repoDir, 'bin', 'mltest.mjs'), 'run', 'tests', '--no-color', '--coverage', ...extra],
        count: mltestCount,
      })
    }
  }
  if (!skip.has('vitest')) {
    const version = ensureVitest()
    const dir = join(vitestDir, 'suite')
    writeProject(dir, flavours.vitest)
    runners.push({
      name: 'vitest',
      version,
      cwd: dir,
      argv: [process.execPath, join(vitestDir, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--pool', 'threads'],
      count(out) {
        const m = /^\s*Tests\s+(\d+) passed/m.exec(out)
        if (!m) return 'no "Tests  N passed" line'
        if (/^\s*Tests\s.*failed/m.test(out)) return 'some tests failed'
        return Number(m[1])
      },
    })
  }
  const tapCount = (out) => {
    const pass = /^# pass (\d+)/m.exec(out)
    const failed = /^# fail (\d+)/m.exec(out)
    if (!pass || !failed) return 'no "# pass N" / "# fail N" lines'
    if (failed[1] !== '0') return `${failed[1]} tests failed`
    return Number(pass[1])
  }
  if (!skip.has('node')) {
    runners.push({
      name: 'node --test',
      cwd: nodeDir,
      argv: [process.execPath, '--import', tsxLoader, '--test', ...nodeFiles],
      count: tapCount,
    })
  }
  if (!skip.has('floor')) {
    // The floor: no runner around the files, just one process importing them all with tsx.
    const entry = join(nodeDir, 'import-all.mjs')
    writeFileSync(entry, nodeFiles.map((f) => `import ${JSON.stringify('./' + f.slice(nodeDir.length + 1))}`).join('\n') + '\n')
    runners.push({
      name: 'floor (1 process)',
      cwd: nodeDir,
      argv: [process.execPath, '--import', tsxLoader, entry],
      count: tapCount,
    })
  }
  return runners
}

function timeOnce(runner) {
  const start = performance.now()
  const result = spawnSync(runner.argv[0], runner.argv.slice(1), {
    cwd: runner.cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' },
  })
  const seconds = (performance.now() - start) / 1000
  const out = plain(`${result.stdout ?? ''}\n${result.stderr ?? ''}`)
  const passed = runner.count(out)
  if (result.status !== 0 || passed !== expectedTests) {
    const why = result.error ? result.error.message : typeof passed === 'string' ? passed : `${passed} tests passed, expected ${expectedTests}`
    console.error(out.split('\n').slice(-40).join('\n'))
    fail(`${runner.name} did not run all ${expectedTests} tests cleanly (exit ${result.status}): ${why}\n  command: ${show(runner)}`)
  }
  return seconds
}

// ---------------------------------------------------------------------------- report

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}
const quote = (arg) => (/^[\w./:=@+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)
/** The command as it can be pasted into a shell; long file lists are elided. */
function show(runner) {
  const args = runner.argv.map((a) => a.replace(runner.cwd + '/', ''))
  const files = args.filter((a) => a.startsWith('tests/'))
  const shown = files.length > 3 ? [...args.filter((a) => !a.startsWith('tests/')), `tests/file-*.test.ts (${files.length} explicit paths)`] : args
  return `(cd ${runner.cwd} && ${shown.map((a) => (a.includes('(') ? a : quote(a))).join(' ')})`
}

const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(' ')

const runners = buildRunners()
if (runners.length === 0) fail('every runner is skipped — drop some names from --skip')
const cpus = os.cpus()
console.log(`runner overhead: ${fileCount} files x ${testsPerFile} tests = ${expectedTests} tests, ${reps} rep(s), interleaved`)
console.log(`machine: ${cpus.length} cpus (${cpus[0]?.model.trim() ?? 'unknown'}), availableParallelism ${os.availableParallelism()}, ` +
  `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()}, node ${process.version}, tsx ${readVersion(join(repoDir, 'node_modules', 'tsx', 'package.json'))}`)
console.log(`load average at start: ${loadAverage()}`)

const times = new Map(runners.map((r) => [r.name, []]))
for (let rep = 1; rep <= reps; rep++) {
  for (const runner of runners) {
    const seconds = timeOnce(runner)
    times.get(runner.name).push(seconds)
    console.log(`  rep ${rep}  ${runner.name.padEnd(18)} ${seconds.toFixed(2).padStart(8)} s`)
  }
}

console.log('\ncommands:')
for (const runner of runners) console.log(`  ${runner.name}${runner.version ? ` (${runner.name === 'vitest' ? 'vitest ' : ''}${runner.version})` : ''}: ${show(runner)}`)
console.log(`\nmedian wall time over ${reps} rep(s):`)
const medians = new Map(runners.map((r) => [r.name, median(times.get(r.name))]))
for (const [name, m] of medians) {
  console.log(`  ${name.padEnd(18)} ${m.toFixed(2).padStart(8)} s   (reps: ${times.get(name).map((s) => s.toFixed(2)).join(', ')})`)
}
const ml = medians.get('mltest')
if (ml !== undefined) {
  // Per-rep ratios pair runs made seconds apart, so they show how much the noise moves them.
  for (const other of ['mltest on Deno', 'vitest', 'node --test', 'floor (1 process)']) {
    if (!medians.has(other)) continue
    const perRep = times.get('mltest').map((s, i) => (s / times.get(other)[i]).toFixed(3)).join(', ')
    const label = other === 'mltest on Deno' ? 'mltest Node/Deno' : `mltest/${other.split(' ')[0]}`
    console.log(`  ${label}`.padEnd(20) + ` ${(ml / medians.get(other)).toFixed(3).padStart(8)} x   (ratio of medians; per rep: ${perRep})`)
  }
  if (medians.has('mltest --coverage')) {
    const perRep = times.get('mltest --coverage').map((s, i) => (s / times.get('mltest')[i]).toFixed(3)).join(', ')
    console.log(`  mltest --coverage/mltest ${(medians.get('mltest --coverage') / ml).toFixed(3).padStart(8)} x   (ratio of medians; per rep: ${perRep})`)
  }
  if (medians.has('vitest')) console.log(`goal mltest <= 0.1x vitest threads: ${ml / medians.get('vitest') <= 0.1 ? 'met' : 'NOT met'}`)
}
console.log(`load average at end: ${loadAverage()} (on ${cpus.length} cpus; well above that means the figures are inflated by other work)`)
