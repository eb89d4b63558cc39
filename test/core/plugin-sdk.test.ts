// The SDK boundary (core/plugin.ts, `mltest/plugin`): built-in plugins and reporters are
// written as a third party would write them, so none of their files may import a
// core-internal path — only `mltest`, `mltest/plugin`, their own files and packages.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

function sourcesUnder(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out.push(...sourcesUnder(path))
    else if (/\.(ts|mts|mjs|js)$/.test(name)) out.push(path)
  }
  return out
}

/** Every module specifier a source file imports, statically or dynamically. */
export function importsOf(source: string): string[] {
  const found: string[] = []
  const patterns = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /^\s*import\s+['"]([^'"]+)['"]/gm, /new URL\(\s*['"](\.[^'"]+)['"]/g]
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1]!)
  return found
}

/** Why `specifier`, imported from `file`, crosses the SDK boundary (undefined: it does not). */
export function boundaryViolation(file: string, specifier: string): string | undefined {
  // mltest/runtime is for entry files that run before TypeScript can load (a plugin's own
  // worker thread or child process): it loads TypeScript the way this runtime needs.
  if (specifier.startsWith('mltest/') && specifier !== 'mltest/plugin' && specifier !== 'mltest/runtime') {
    const area = relative(REPO, file).split('/').slice(0, 2).join('/')
    // A plugin may import its own public entry through the package name.
    if (!area.startsWith('plugins/') || specifier !== `mltest/${area.slice('plugins/'.length)}`) return `imports ${specifier}; use mltest or mltest/plugin`
    return undefined
  }
  if (!specifier.startsWith('.')) return undefined
  const target = resolve(dirname(file), specifier)
  const rel = relative(REPO, target)
  if (rel.startsWith('core/') || rel === 'core') return `imports the core-internal path ${rel}; use mltest or mltest/plugin`
  const fromArea = relative(REPO, file).split('/').slice(0, 2).join('/')
  const toArea = rel.split('/').slice(0, 2).join('/')
  if (fromArea.startsWith('plugins/') && toArea !== fromArea) return `reaches into ${rel}, outside its own plugin ${fromArea}`
  return undefined
}

t.test('plugins/ and reporters/ import only mltest, mltest/plugin and their own files', async (t) => {
  const files = [...sourcesUnder(join(REPO, 'plugins')), ...sourcesUnder(join(REPO, 'reporters'))]
  t.ok(files.length > 50, `scanned ${files.length} files`)
  const violations: string[] = []
  for (const file of files) {
    for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
      const why = boundaryViolation(file, specifier)
      if (why) violations.push(`${relative(REPO, file)}: ${why}`)
    }
  }
  t.same(violations, [], 'no file crosses the SDK boundary')
})

t.test('the boundary check catches what it is meant to catch', async (t) => {
  const plugin = join(REPO, 'plugins/onnx/_internals/x.ts')
  const reporter = join(REPO, 'reporters/junit/index.ts')
  t.match(boundaryViolation(plugin, '../../../core/seed.ts'), /core-internal path core\/seed\.ts/)
  t.match(boundaryViolation(reporter, '../../core/protocol.ts'), /core-internal/)
  t.match(boundaryViolation(plugin, '../../parity/_internals/tolerance.ts'), /outside its own plugin plugins\/onnx/)
  t.match(boundaryViolation(reporter, 'mltest/stability'), /use mltest or mltest\/plugin/)
  t.equal(boundaryViolation(plugin, 'mltest/plugin'), undefined)
  t.equal(boundaryViolation(plugin, 'mltest/runtime'), undefined)
  t.match(boundaryViolation(plugin, '../../../core/runtime.mjs'), /core-internal path core\/runtime\.mjs/)
  t.equal(boundaryViolation(plugin, 'mltest'), undefined)
  t.equal(boundaryViolation(plugin, './feeds.ts'), undefined)
  t.equal(boundaryViolation(plugin, 'onnxruntime-node'), undefined)
  t.same(importsOf(`import a from 'x'\nimport type { B } from "../y.ts"\nawait import('z')\nimport './side.ts'`), ['x', '../y.ts', 'z', './side.ts'])
})

t.test('mltest/plugin resolves through the package exports to the SDK entry', async (t) => {
  const sdk = await import('mltest/plugin')
  for (const name of ['recordCheck', 'currentTest', 'annotate', 'deriveSeed', 'createRng', 'importOptional', 'toFlatNumbers', 'resolveModelRef', 'importWithoutCollecting', 'toResultJson']) {
    t.type((sdk as Record<string, unknown>)[name], 'function', `exports ${name}`)
  }
  t.equal(sdk.currentTest(), undefined, 'no test is running here')
})

t.test('no test imports (or opens by URL) a file under examples/ (users edit the examples they copy)', async (t) => {
  const offenders: string[] = []
  for (const file of sourcesUnder(join(REPO, 'test'))) {
    if (file.includes(`${join('test', 'fixtures')}`)) continue
    for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('.')) continue
      if (relative(REPO, resolve(dirname(file), specifier)).startsWith('examples/')) offenders.push(`${relative(REPO, file)} imports ${specifier}`)
    }
  }
  t.same(offenders, [])
})
