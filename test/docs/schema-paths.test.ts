// The JUnit schema the manual tells users to validate against is part of the published
// package: every `.xsd` path in README.md and docs/ names a file that `npm pack` includes
// (an installed copy has no test/ folder), and the shipped schema is the one the project's
// own JUnit tests validate with.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { JUNIT_XSD } from '../xsd.ts'

const REPO = realpathSync(fileURLToPath(new URL('../../', import.meta.url)))
const INSTALLED = 'node_modules/mltest/'

const pages = [
  'README.md',
  ...readdirSync(join(REPO, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f).split(sep).join('/')),
]

/** Every `.xsd` path a page mentions (links, code, prose), repository-relative. */
function schemaPaths(page: string): Array<{ written: string; path: string }> {
  const text = readFileSync(join(REPO, page), 'utf8')
  return [...text.matchAll(/[\w./-]*\.xsd\b/g)].map(([written]) => {
    // A path inside an installed package, a link relative to the page, or a path from the repository root.
    const path = written.startsWith(INSTALLED)
      ? written.slice(INSTALLED.length)
      : written.startsWith('.')
        ? relative(REPO, join(REPO, dirname(page), written)).split(sep).join('/')
        : written
    return { written, path }
  })
}

/** The files `npm pack` would publish. */
function packedFiles(): Set<string> {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  const [pack] = JSON.parse(out) as Array<{ files: Array<{ path: string }> }>
  return new Set(pack!.files.map((f) => f.path))
}

t.test('every schema path in the manual is a file the package ships', async (t) => {
  const packed = packedFiles()
  const mentions = pages.flatMap((page) => schemaPaths(page).map((m) => ({ page, ...m })))
  t.ok(mentions.some((m) => m.page === 'docs/guide/reporters.md'), 'the reporters guide names the schema')
  t.ok(mentions.some((m) => m.page === 'README.md'), 'the README names the schema')
  for (const { page, written, path } of mentions) {
    t.ok(path.includes('/'), `${page}: "${written}" names the schema's folder, so a reader can find it`)
    t.ok(existsSync(join(REPO, path)), `${page}: "${written}" exists (${path})`)
    t.ok(packed.has(path), `${page}: "${written}" is in the published package (${path}), not only in the repository`)
  }
})

t.test('the shipped schema is the one the JUnit tests validate with', async (t) => {
  t.equal(JUNIT_XSD, join(REPO, 'schemas', 'junit-ant.xsd'), 'test/xsd.ts validates against the shipped copy')
  t.match(readFileSync(JUNIT_XSD, 'utf8'), /<xs:schema/)
})
