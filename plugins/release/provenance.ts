/**
 * Provenance: what produced a model. `recordProvenance` writes a manifest next to the model
 * file (`<model>.provenance.json`): the git commit and dirty state of the code, SHA-256 of the
 * model and data files, the training parameters and metrics, the dependency versions the
 * lockfile pins and the runtime. `checkProvenance` fails when a model has no manifest, a file
 * no longer has its recorded hash, or the recorded commit is not an ancestor of HEAD (the
 * model was trained from code this branch does not contain).
 */
import { createRequire } from 'node:module'
import { basename, isAbsolute, join } from 'node:path'
import { existsSync } from 'node:fs'
import { annotate, CheckFailure, parseCheckOptions, recordCheck, z, type AnnotationValue } from 'mltest/plugin'
import { isAncestorOfHead, gitState, type GitState } from './_internals/git.ts'
import { hashFile, hashIfExists } from './_internals/hash-file.ts'
import { readJsonFile, writeJsonAtomic } from './_internals/json-file.ts'
import { findLockfile, readLockfile } from './_internals/lockfile.ts'
import { baseDir, projectRoot, resolveFrom, storedPath } from './_internals/project-paths.ts'

type Json = string | number | boolean | null | Json[] | { [key: string]: Json }

export interface RecordProvenanceOptions {
  /** The model file (relative paths start at the test file's folder). */
  model: string
  /** Data files the model was trained or evaluated on. */
  data?: string[]
  /** Training parameters (any JSON). */
  params?: Record<string, Json>
  /** Metrics of the trained model. */
  metrics?: Record<string, number | string | boolean | null>
  /** A folder inside the code's git repository (default: the test file's folder). */
  repo?: string
  /** The npm lockfile (default: the nearest package-lock.json above `repo`). */
  lockfile?: string
}

export interface FileRecord {
  /** Relative to the project root (the git top folder), or absolute when outside it. */
  path: string
  sha256: string
  bytes: number
}

export interface ProvenanceManifest {
  schema: 'mltest-provenance'
  schemaVersion: 1
  createdAt: string
  /** The model file, relative to the manifest's folder. */
  model: { path: string; sha256: string; bytes: number }
  data: FileRecord[]
  params: Record<string, Json>
  metrics: Record<string, number | string | boolean | null>
  git: (Omit<GitState, 'root'> & { available: true }) | { available: false; reason: string }
  dependencies: { lockfile: string | null; packages: Record<string, string> }
  runtime: { node: string; v8: string; platform: string; arch: string; mltest: string | null; packages: Record<string, string> }
}

/** Packages whose versions change what a model computes; copied into `runtime.packages` when locked. */
const RUNTIME_PACKAGES = ['onnxruntime-node', 'onnxruntime-web', 'onnxruntime-common', '@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm', 'onnx-proto']

const jsonSchema: z.ZodType<Json> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonSchema), z.record(z.string(), jsonSchema)]))

const recordOptionsSchema = z.object({
  model: z.string().min(1),
  data: z.array(z.string().min(1)).optional(),
  params: z.record(z.string(), jsonSchema).optional(),
  metrics: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])).optional(),
  repo: z.string().min(1).optional(),
  lockfile: z.string().min(1).optional(),
} satisfies Record<keyof RecordProvenanceOptions, z.ZodType>)

const fileRecordSchema = z.object({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().min(0) })
const manifestSchema = z.object({
  schema: z.literal('mltest-provenance'),
  schemaVersion: z.literal(1),
  createdAt: z.string(),
  model: fileRecordSchema,
  data: z.array(fileRecordSchema),
  params: z.record(z.string(), jsonSchema),
  metrics: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
  git: z.union([
    z.object({ available: z.literal(true), commit: z.string().regex(/^[0-9a-f]{7,64}$/), branch: z.string().nullable(), dirty: z.boolean(), changedFiles: z.number(), untrackedFiles: z.number() }),
    z.object({ available: z.literal(false), reason: z.string() }),
  ]),
  dependencies: z.object({ lockfile: z.string().nullable(), packages: z.record(z.string(), z.string()) }),
  runtime: z.object({ node: z.string(), v8: z.string(), platform: z.string(), arch: z.string(), mltest: z.string().nullable(), packages: z.record(z.string(), z.string()) }),
})

/** Where a model's manifest lives: beside it, `<model>.provenance.json`. */
export function manifestPathFor(modelPath: string): string {
  return `${modelPath}.provenance.json`
}

function mltestVersion(): string | null {
  try {
    const require = createRequire(import.meta.url)
    return (require('mltest/package.json') as { version?: string }).version ?? null
  } catch {
    return null
  }
}

/** Writes the model's provenance manifest beside it and attaches it to the running test. */
export function recordProvenance(options: RecordProvenanceOptions): { manifestPath: string; manifest: ProvenanceManifest } {
  const check = 'recordProvenance'
  const parsed = parseCheckOptions(check, recordOptionsSchema, options)
  const base = baseDir()
  const modelPath = resolveFrom(parsed.model, base)
  const repo = resolveFrom(parsed.repo ?? '.', base)
  const root = projectRoot(repo)
  const hashed = (path: string, role: string) => {
    const hash = hashIfExists(path)
    if (!hash) throw new TypeError(`${check}: ${role} file ${path} does not exist`)
    return hash
  }
  const model = hashed(modelPath, 'model')
  const data = (parsed.data ?? []).map((p) => {
    const full = resolveFrom(p, base)
    return { path: storedPath(full, root), ...hashed(full, 'data') }
  })
  const git = gitState(repo)
  const lockfile = parsed.lockfile ? resolveFrom(parsed.lockfile, base) : findLockfile(repo)
  if (parsed.lockfile && !existsSync(lockfile!)) throw new TypeError(`${check}: lockfile ${lockfile} does not exist`)
  const locked = lockfile ? readLockfile(lockfile) : {}
  const packages = Object.fromEntries(Object.entries(locked).map(([name, entry]) => [name, entry.version]))
  const manifest: ProvenanceManifest = {
    schema: 'mltest-provenance',
    schemaVersion: 1,
    createdAt: new Date().toISOString(),
    model: { path: basename(modelPath), ...model },
    data,
    params: parsed.params ?? {},
    metrics: parsed.metrics ?? {},
    git: git.ok
      ? { available: true, commit: git.value.commit, branch: git.value.branch, dirty: git.value.dirty, changedFiles: git.value.changedFiles, untrackedFiles: git.value.untrackedFiles }
      : { available: false, reason: git.reason },
    dependencies: { lockfile: lockfile ? storedPath(lockfile, root) : null, packages },
    runtime: {
      node: process.version,
      v8: process.versions.v8,
      platform: process.platform,
      arch: process.arch,
      mltest: mltestVersion(),
      packages: Object.fromEntries(RUNTIME_PACKAGES.filter((name) => packages[name]).map((name) => [name, packages[name]!])),
    },
  }
  const manifestPath = manifestPathFor(modelPath)
  writeJsonAtomic(manifestPath, manifest)
  const gitText = manifest.git.available ? `commit ${manifest.git.commit.slice(0, 12)}${manifest.git.dirty ? ` with ${manifest.git.changedFiles} uncommitted change(s)` : ', clean'}` : `no commit (${manifest.git.reason})`
  const summary = `provenance of ${manifest.model.path} (sha256 ${model.sha256.slice(0, 12)}): ${gitText}, ${data.length} data file(s), ${Object.keys(packages).length} locked package(s)`
  const metrics: Record<string, AnnotationValue> = {
    manifest: manifestPath,
    modelSha256: model.sha256,
    modelBytes: model.bytes,
    dataFiles: data.length,
    commit: manifest.git.available ? manifest.git.commit : null,
    dirty: manifest.git.available ? manifest.git.dirty : null,
    lockedPackages: Object.keys(packages).length,
  }
  annotate('provenance', manifestPath)
  recordCheck(
    manifest.git.available
      ? { check, practice: 'versioning', verdict: 'pass', metrics, summary }
      : { check, practice: 'versioning', verdict: 'inconclusive', metrics, summary, reason: `The manifest names no code commit: ${manifest.git.reason}.` },
  )
  return { manifestPath, manifest }
}

export interface CheckProvenanceOptions {
  /** The manifest (default: `<model>.provenance.json` beside the model). */
  manifest?: string
  /** A folder inside the code's git repository (default: the test file's folder). */
  repo?: string
  /** Fail when the model was produced from uncommitted changes (default false: reported only). */
  requireClean?: boolean
}

const checkOptionsSchema = z.object({
  manifest: z.string().min(1).optional(),
  repo: z.string().min(1).optional(),
  requireClean: z.boolean().optional(),
} satisfies Record<keyof CheckProvenanceOptions, z.ZodType>)

export interface ProvenanceResult {
  verdict: 'pass' | 'fail' | 'inconclusive'
  manifestPath: string
  /** Every problem found, one line each (empty on a pass). */
  problems: string[]
  reason?: string
  manifest?: ProvenanceManifest
}

/** Reads a provenance manifest; a corrupt one is a one-line ReleaseFileError naming it. */
export function readManifest(path: string): ProvenanceManifest {
  return readJsonFile(path, manifestSchema, { what: 'provenance manifest', fix: 'record it again with recordProvenance when the model is rebuilt' }) as ProvenanceManifest
}

/**
 * Checks a model against its provenance manifest: the model and data files still have their
 * recorded SHA-256, and the recorded commit is HEAD or an ancestor of it. Throws a
 * CheckFailure listing every problem; inconclusive (with its reason) when there is no git
 * repository to ask, or the manifest was recorded outside one.
 */
export function checkProvenance(modelPath: string, options: CheckProvenanceOptions = {}): ProvenanceResult {
  const check = 'checkProvenance'
  if (typeof modelPath !== 'string' || modelPath === '') throw new TypeError(`${check}: pass the model file's path, e.g. checkProvenance('model.onnx')`)
  const parsed = parseCheckOptions(check, checkOptionsSchema, options)
  const base = baseDir()
  const model = resolveFrom(modelPath, base)
  const manifestPath = parsed.manifest ? resolveFrom(parsed.manifest, base) : manifestPathFor(model)
  const repo = resolveFrom(parsed.repo ?? '.', base)
  const header = `${check}: ${model}`
  if (!existsSync(manifestPath)) {
    const line = `no provenance manifest at ${manifestPath}: nothing says what produced this model — record one when it is trained: recordProvenance({ model, data, params, metrics })`
    recordCheck({ check, practice: 'versioning', verdict: 'fail', metrics: { manifest: manifestPath }, summary: 'no provenance manifest' })
    throw new CheckFailure(`${header}\n  ${line}`)
  }
  const manifest = readManifest(manifestPath)
  const root = projectRoot(repo)
  const problems: string[] = []
  const compare = (role: string, path: string, recorded: { sha256: string; bytes: number }) => {
    const now = hashIfExists(path)
    if (!now) problems.push(`${role} ${path} is missing (recorded sha256 ${recorded.sha256.slice(0, 12)}…)`)
    else if (now.sha256 !== recorded.sha256) {
      problems.push(`${role} ${path} changed since it was recorded: sha256 ${now.sha256.slice(0, 12)}… (${now.bytes} bytes), recorded ${recorded.sha256.slice(0, 12)}… (${recorded.bytes} bytes)`)
    }
  }
  compare('model', model, manifest.model)
  if (manifest.model.path !== basename(model)) {
    problems.push(`the manifest describes model file "${manifest.model.path}", not "${basename(model)}"`)
  }
  for (const file of manifest.data) compare('data file', isAbsolute(file.path) ? file.path : join(root, file.path), file)

  let reason: string | undefined
  let ancestry = 'not checked'
  let head: string | null = null
  if (!manifest.git.available) {
    reason = `The manifest was recorded outside a git repository (${manifest.git.reason}), so it names no code to check against HEAD.`
  } else {
    if (parsed.requireClean && manifest.git.dirty) {
      problems.push(`the model was produced from uncommitted changes (${manifest.git.changedFiles} changed file(s) at commit ${manifest.git.commit.slice(0, 12)}), and requireClean is set`)
    }
    const answer = isAncestorOfHead(repo, manifest.git.commit)
    if (!answer.ok) {
      reason = `Cannot check the recorded commit ${manifest.git.commit.slice(0, 12)} against HEAD: ${answer.reason}.`
    } else {
      head = answer.value.head
      ancestry = answer.value.kind
      if (answer.value.kind === 'unknown-commit') problems.push(`recorded commit ${manifest.git.commit.slice(0, 12)} is not in the repository at ${root} (HEAD ${head.slice(0, 12)}): the code that produced the model is not here`)
      if (answer.value.kind === 'not-ancestor') problems.push(`recorded commit ${manifest.git.commit.slice(0, 12)} is not an ancestor of HEAD ${head.slice(0, 12)}: the model was produced from code this branch does not contain`)
    }
  }
  const verdict = problems.length > 0 ? 'fail' : reason ? 'inconclusive' : 'pass'
  const metrics: Record<string, AnnotationValue> = {
    manifest: manifestPath,
    modelSha256: manifest.model.sha256,
    dataFiles: manifest.data.length,
    commit: manifest.git.available ? manifest.git.commit : null,
    head,
    ancestry,
    dirtyAtRecord: manifest.git.available ? manifest.git.dirty : null,
    problems: problems.length,
  }
  const filesChecked = 1 + manifest.data.length
  const summary = verdict === 'pass'
    ? `${filesChecked} file hash(es) match; recorded commit ${(metrics.commit as string).slice(0, 12)} is ${ancestry === 'ancestor' && head === metrics.commit ? 'HEAD' : 'an ancestor of HEAD'}`
    : verdict === 'fail'
      ? `${problems.length} provenance problem(s)`
      : `${filesChecked} file hash(es) checked; commit not checked`
  recordCheck({ check, practice: 'versioning', verdict, metrics, summary, ...(verdict === 'inconclusive' ? { reason: reason! } : {}) })
  if (verdict === 'fail') {
    throw new CheckFailure(`${header}\n  manifest ${manifestPath} (recorded ${manifest.createdAt})\n${problems.map((p) => `  ✗ ${p}`).join('\n')}`)
  }
  return { verdict, manifestPath, problems, ...(reason && verdict === 'inconclusive' ? { reason } : {}), manifest }
}

