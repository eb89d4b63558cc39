/**
 * The manual's code samples run, and its links resolve. Conventions (docs/README.md):
 *
 * - ```ts mltest-test        a complete *.mltest.ts file. All such blocks of one page form one
 *                            project, run once by the real CLI; it must exit 0.
 * - ```ts mltest-test fails  the same, but run alone (with the page's config and helper files);
 *                            it must exit 1 with at least one failed test and no file error.
 * - ```ts mltest-config      the page project's mltest.config.ts (at most one per page).
 * - ```ts mltest-file PATH   a helper module of the page project, written at PATH.
 * - ```ts fragment           not run.
 * An unmarked TypeScript block fails this test. Every runnable block is also type-checked
 * (errors in the repository's own files are not this test's business and are ignored).
 *
 * A page project lives in a temp dir whose node_modules holds `mltest` → this repository and
 * a link to every package of the repository's node_modules, as an installed package would.
 * `MLTEST_DOCS_SEED` changes the run seed (default 1, so a run of this test is repeatable);
 * `MLTEST_DOCS_KEEP=1` keeps the temp projects and prints where they are.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { dirname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stripVTControlCharacters } from 'node:util'
import t from 'tap'
import { anchors, codeBlocks, links, sections, TS_LANGS, type CodeBlock } from './markdown.ts'

const REPO = realpathSync(fileURLToPath(new URL('../../', import.meta.url)))
const CLI = join(REPO, 'bin', 'mltest.mjs')
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc')
const SEED = process.env.MLTEST_DOCS_SEED ?? '1'

/** The outline every docs/plugins/<name>.md follows. */
const PLUGIN_SECTIONS = ['What it checks', 'API and options', 'The statistics behind the verdict', 'CLI flags', 'Replay', 'Example', 'Overhead']

/**
 * Pages another author is writing: a link to one of them is accepted while it does not exist
 * yet (and checked like any other once it does).
 */
const PENDING_PAGES = ['docs/extending/writing-a-plugin.md', 'docs/extending/writing-a-check.md', 'docs/extending/writing-a-reporter.md']

/** README.md and every Markdown file under docs/, repository-relative, sorted. */
function manualPages(): string[] {
  const docs = readdirSync(join(REPO, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f).split(sep).join('/'))
  return ['README.md', ...docs.sort()]
}

const pages = manualPages().map((path) => ({ path, text: readFileSync(join(REPO, path), 'utf8') }))

interface Sample {
  page: string
  block: CodeBlock
  /** Path inside the page project. */
  file: string
}

interface PageProject {
  page: string
  slug: string
  config?: Sample
  helpers: Sample[]
  passing: Sample[]
  failing: Sample[]
}

const where = (s: { page: string; block: CodeBlock }) => `${s.page}:${s.block.line}`

/** Sorts a page's TypeScript blocks into its project; returns the problems found. */
function projectOf(page: string, blocks: CodeBlock[]): { project: PageProject; problems: string[] } {
  const slug = page.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()
  const project: PageProject = { page, slug, helpers: [], passing: [], failing: [] }
  const problems: string[] = []
  let n = 0
  for (const block of blocks) {
    if (!TS_LANGS.has(block.lang)) continue
    const [kind, ...rest] = block.flags
    const at = `${page}:${block.line}`
    if (kind === 'fragment') continue
    if (kind === 'mltest-test') {
      if (rest.length > 1 || (rest.length === 1 && rest[0] !== 'fails')) problems.push(`${at}: "mltest-test" takes only "fails" after it, got "${rest.join(' ')}"`)
      const sample = { page, block, file: `sample-${String(++n).padStart(2, '0')}.mltest.ts` }
      ;(rest[0] === 'fails' ? project.failing : project.passing).push(sample)
    } else if (kind === 'mltest-config') {
      if (project.config) problems.push(`${at}: a second mltest-config block (the first is at line ${project.config.block.line}); a page has one project`)
      project.config = { page, block, file: 'mltest.config.ts' }
    } else if (kind === 'mltest-file') {
      const path = rest[0]
      if (!path || rest.length > 1 || isAbsolute(path) || normalize(path).startsWith('..') || path.endsWith('.mltest.ts') || path.startsWith('mltest.config.')) {
        problems.push(`${at}: "mltest-file" needs one relative path inside the project that is neither a test file nor the config, got "${rest.join(' ')}"`)
      } else project.helpers.push({ page, block, file: path })
    } else {
      problems.push(`${at}: a \`\`\`${block.lang} block must be run or marked — use "${block.lang} mltest-test", "mltest-test fails", "mltest-config", "mltest-file PATH" or "fragment" (got "${block.flags.join(' ')}")`)
    }
  }
  return { project, problems }
}

const parsed = pages.map((p) => projectOf(p.path, codeBlocks(p.text)))
const projects = parsed.map((p) => p.project)

t.test('every TypeScript block in the manual is runnable or marked as a fragment', async (t) => {
  const problems = parsed.flatMap((p) => p.problems)
  t.same(problems, [], problems.join('\n'))
  t.ok(projects.some((p) => p.passing.length > 0), 'the manual has runnable samples')
})

t.test('each plugin page follows the common outline', async (t) => {
  const pluginPages = pages.filter((p) => /^docs\/plugins\/[^/]+\.md$/.test(p.path))
  t.ok(pluginPages.length >= 4, 'stability, reproducibility, onnx and parity have pages')
  for (const page of pluginPages) t.same(sections(page.text), PLUGIN_SECTIONS, `${page.path}: level-2 headings, in this order`)
})

t.test('relative links resolve to existing files and headings', async (t) => {
  const problems: string[] = []
  const anchorsOf = new Map<string, Set<string>>()
  const anchorsIn = (file: string) => {
    if (!anchorsOf.has(file)) anchorsOf.set(file, anchors(readFileSync(file, 'utf8')))
    return anchorsOf.get(file)!
  }
  let checked = 0
  for (const page of pages) {
    const from = join(REPO, page.path)
    for (const link of links(page.text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) continue // http:, https:, mailto:
      checked++
      const [rawPath, anchor] = link.target.split('#') as [string, string | undefined]
      const path = decodeURIComponent(rawPath)
      const target = path === '' ? from : resolve(dirname(from), path)
      const at = `${page.path}:${link.line}: ${link.target}`
      const inRepo = relative(REPO, target).split(sep).join('/')
      if (inRepo.startsWith('..')) {
        problems.push(`${at} leaves the repository`)
        continue
      }
      if (!existsSync(target)) {
        if (PENDING_PAGES.includes(inRepo)) t.comment(`${at}: pending page, not written yet`)
        else problems.push(`${at}: no such file (${inRepo})`)
        continue
      }
      if (anchor && target.endsWith('.md') && statSync(target).isFile() && !anchorsIn(target).has(anchor)) {
        problems.push(`${at}: ${inRepo} has no heading with anchor #${anchor}`)
      }
    }
  }
  t.ok(checked > 20, `the manual links its pages (${checked} relative links checked)`)
  t.same(problems, [], problems.join('\n'))
})

// ---------------------------------------------------------------------------------------
// Running the samples.

interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  seconds: number
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const key of Object.keys(env)) {
    if (key === 'NODE_OPTIONS' || key.startsWith('_TAPJS_') || key.startsWith('TAP') || key === 'FORCE_COLOR' || key === 'NO_COLOR') delete env[key]
  }
  return { ...env, CI: 'true' }
}

function exec(file: string, args: string[], cwd: string, timeoutMs: number): Promise<Run> {
  const start = performance.now()
  return new Promise((done) => {
    const child = execFile(file, args, { cwd, env: cleanEnv(), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGKILL' }, (_error, stdout, stderr) =>
      done({
        code: child.exitCode,
        signal: child.signalCode,
        stdout: stripVTControlCharacters(stdout),
        stderr: stripVTControlCharacters(stderr),
        seconds: (performance.now() - start) / 1000,
      }),
    )
  })
}

/** At most `limit` of `tasks` at once; results in order. */
async function inPool<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length)
  let next = 0
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++
      results[i] = await tasks[i]!()
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker))
  return results
}

const root = realpathSync(mkdtempSync(join(tmpdir(), 'mltest-docs-')))
// MLTEST_DOCS_KEEP=1 keeps the page projects, to rerun one by hand.
if (process.env.MLTEST_DOCS_KEEP) t.comment(`page projects kept in ${root}`)
else t.teardown(() => rmSync(root, { recursive: true, force: true }))

/** node_modules shared by every page project: mltest itself and the repository's packages. */
function linkNodeModules(): void {
  const modules = join(root, 'node_modules')
  mkdirSync(modules)
  symlinkSync(REPO, join(modules, 'mltest'), 'dir')
  for (const entry of readdirSync(join(REPO, 'node_modules'))) {
    if (entry === 'mltest' || entry === '.package-lock.json') continue
    symlinkSync(join(REPO, 'node_modules', entry), join(modules, entry), 'dir')
  }
  writeFileSync(join(root, 'package.json'), '{ "name": "mltest-docs-samples", "private": true, "type": "module" }\n')
  writeFileSync(
    join(root, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        allowImportingTsExtensions: true,
        noEmit: true,
        strict: true,
        skipLibCheck: true,
        types: ['node'],
      },
      include: ['*/**/*.ts'],
    }) + '\n',
  )
}

/** Maps a generated file back to its Markdown block, for messages. */
const origins = new Map<string, Sample>()

function writeProject(dir: string, project: PageProject, tests: Sample[]): void {
  mkdirSync(dir, { recursive: true })
  for (const sample of [...(project.config ? [project.config] : []), ...project.helpers, ...tests]) {
    const file = join(dir, sample.file)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, sample.block.code)
    origins.set(relative(root, file).split(sep).join('/'), sample)
  }
}

/** `sample-03.mltest.ts` → `sample-03.mltest.ts (docs/plugins/onnx.md:120)` in CLI output. */
function annotateOutput(text: string, dir: string): string {
  let out = text
  for (const [file, sample] of origins) {
    if (!file.startsWith(`${relative(root, dir)}/`)) continue
    const name = file.slice(relative(root, dir).length + 1)
    out = out.split(name).join(`${name} (${where(sample)})`)
  }
  return out
}

function summaryOf(stdout: string): { failed: number; fileErrors: number } | undefined {
  const line = stdout
    .split('\n')
    .filter((l) => l.startsWith('mltest: '))
    .at(-1)
  const m = /^mltest: \d+ passed, (\d+) failed/.exec(line ?? '')
  if (!m) return undefined
  return { failed: Number(m[1]), fileErrors: Number(/(\d+) file errors?/.exec(line!)?.[1] ?? 0) }
}

interface Job {
  name: string
  dir: string
  expectFailure: boolean
}

linkNodeModules()
const jobs: Job[] = []
for (const project of projects) {
  if (project.passing.length > 0) {
    const dir = join(root, project.slug)
    writeProject(dir, project, project.passing)
    jobs.push({ name: `${project.page}: ${project.passing.length} sample(s) pass`, dir, expectFailure: false })
  }
  for (const sample of project.failing) {
    const dir = join(root, `${project.slug}--fails-${sample.block.line}`)
    writeProject(dir, project, [sample])
    jobs.push({ name: `${where(sample)}: the failure sample fails`, dir, expectFailure: true })
  }
}

const cliRuns = inPool(
  jobs.map((job) => () => exec(process.execPath, [CLI, 'run', job.dir, '--seed', SEED, '--no-color'], job.dir, 300_000)),
  Math.max(1, Math.min(3, availableParallelism())),
)
const typecheck = exec(process.execPath, [TSC, '-p', join(root, 'tsconfig.json'), '--pretty', 'false'], root, 300_000)

t.test('the runnable samples run', async (t) => {
  const runs = await cliRuns
  jobs.forEach((job, i) => {
    const run = runs[i]!
    t.comment(`${job.name}: ${run.seconds.toFixed(1)} s`)
    const output = annotateOutput(`$ mltest run ${relative(root, job.dir)} --seed ${SEED}\n${run.stdout}\n${run.stderr}`, job.dir)
    if (job.expectFailure) {
      const summary = summaryOf(run.stdout)
      const ok = run.code === 1 && summary !== undefined && summary.failed > 0 && summary.fileErrors === 0
      t.ok(ok, job.name, ok ? {} : { diagnostic: true, exitCode: run.code, signal: run.signal, output })
    } else {
      t.equal(run.code, 0, job.name, run.code === 0 ? {} : { diagnostic: true, signal: run.signal, output })
    }
  })
})

t.test('the runnable samples type-check', async (t) => {
  const run = await typecheck
  // tsc prints `path(line,col): error TSnnnn: message` plus indented continuation lines.
  const ours: string[] = []
  let keep = false
  for (const line of run.stdout.split('\n')) {
    const head = /^(.+?)\((\d+),(\d+)\): error /.exec(line)
    if (head) {
      const file = relative(root, resolve(root, head[1]!)).split(sep).join('/')
      const sample = origins.get(file)
      keep = sample !== undefined
      if (sample) ours.push(`${sample.page}:${sample.block.line + Number(head[2])} (${file}) ${line.slice(head[0].length - 'error '.length)}`)
    } else if (keep && line.startsWith(' ')) ours.push(line)
  }
  t.same(ours, [], ours.join('\n'))
})
