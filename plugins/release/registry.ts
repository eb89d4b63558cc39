/**
 * A file-based model registry: each version's model file, its manifest and (optionally) its
 * golden outputs and latency budget in a folder of their own, and a `current` pointer.
 *
 *   const registry = openRegistry('.mltest/registry')
 *   registry.register('v1', 'model.onnx', manifest, { golden: { inputs, outputs }, latencyBudgetMs: 5 })
 *   registry.register('v2', 'model.onnx')   // the manifest recordProvenance wrote beside the model
 *   registry.setCurrent('v1')
 *   registry.current()?.modelPath    // the registered copy of the model
 *   registry.previous()              // the version registered just before current (rollback target)
 *   registry.versions()              // every version, in registration order
 *
 * Layout: `<dir>/versions/<version>/{version.json, manifest.json, <model file>}` and
 * `<dir>/current.json`. A version is written to a temp folder and renamed into place, so it
 * appears whole or not at all; the pointer is written to a temp file and renamed over
 * `current.json`, so concurrent writers leave one consistent pointer (the last rename wins)
 * and a crash mid-update leaves the old pointer. A corrupt pointer, version record or manifest
 * is a one-line ReleaseFileError naming the file, and is never overwritten.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { hostname } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { z } from 'mltest/plugin'
import { readJsonFile, writeJsonAtomic } from './_internals/json-file.ts'
import { ReleaseFileError } from './_internals/release-file-error.ts'
import { manifestPathFor, readManifest } from './provenance.ts'

/** Recorded inputs and the outputs this version gave on them, to check a rollback against. */
export interface GoldenOutputs {
  /** Input rows (one feature vector per row). */
  inputs: number[][]
  /** The version's outputs on `inputs`, one row per input. */
  outputs: number[][]
}

export interface RegisterOptions {
  /** Golden outputs the rollback drill reproduces. */
  golden?: GoldenOutputs
  /** Median latency budget (ms) of one call on the golden inputs, for the rollback drill. */
  latencyBudgetMs?: number
}

export interface RegisteredVersion {
  version: string
  /** The version's folder in the registry. */
  dir: string
  /** The registered copy of the model file. */
  modelPath: string
  /** The manifest as registered (a provenance manifest, or any JSON object). */
  manifest: Record<string, unknown>
  registeredAt: string
  /** 1 for the first version registered, then counting up. */
  sequence: number
  golden?: GoldenOutputs
  latencyBudgetMs?: number
}

export interface PointerRecord {
  version: string
  updatedAt: string
  /** The version the pointer named before this update (absent on the first). */
  replaced?: string
  by: { pid: number; host: string }
}

export interface Registry {
  readonly dir: string
  /**
   * Copies the model file into the registry with its manifest (default: the provenance manifest
   * beside the model, `<model>.provenance.json`, which must then exist) and options.
   */
  register(version: string, modelPath: string, manifest?: object, options?: RegisterOptions): RegisteredVersion
  versions(): RegisteredVersion[]
  get(version: string): RegisteredVersion
  has(version: string): boolean
  current(): RegisteredVersion | undefined
  /** The pointer file as written (who set it, when, what it replaced), or undefined before the first setCurrent. */
  pointer(): PointerRecord | undefined
  /** The version registered just before the current one: what a rollback goes back to. */
  previous(): RegisteredVersion | undefined
  setCurrent(version: string): PointerRecord
}

const VERSION_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/

const goldenSchema = z.object({ inputs: z.array(z.array(z.number())), outputs: z.array(z.array(z.number())) })
const versionSchema = z.object({
  schema: z.literal('mltest-registry-version'),
  version: z.string(),
  model: z.string(),
  registeredAt: z.string(),
  sequence: z.number().int(),
  golden: goldenSchema.optional(),
  latencyBudgetMs: z.number().positive().optional(),
})
const pointerSchema = z.object({
  schema: z.literal('mltest-registry-pointer'),
  version: z.string(),
  updatedAt: z.string(),
  replaced: z.string().optional(),
  by: z.object({ pid: z.number(), host: z.string() }),
})
const manifestSchema = z.record(z.string(), z.unknown())

function checkVersionName(version: unknown): asserts version is string {
  if (typeof version !== 'string' || !VERSION_NAME.test(version)) {
    throw new TypeError(`registry: version name ${JSON.stringify(version)} is not allowed; use letters, digits and . _ + - (e.g. "v3" or "2024-06-01.1"), at most 128 characters, not starting with a dot`)
  }
}

class FileRegistry implements Registry {
  readonly dir: string
  private readonly versionsDir: string
  private readonly pointerPath: string

  constructor(dir: string) {
    this.dir = resolve(dir)
    this.versionsDir = join(this.dir, 'versions')
    this.pointerPath = join(this.dir, 'current.json')
    if (existsSync(this.dir) && !statSync(this.dir).isDirectory()) {
      throw new ReleaseFileError(this.dir, 'model registry', 'is a file, not a folder', 'pass the registry folder (e.g. .mltest/registry)')
    }
  }

  register(version: string, modelPath: string, given?: object, options: RegisterOptions = {}): RegisteredVersion {
    checkVersionName(version)
    const source = resolve(modelPath)
    if (!existsSync(source) || !statSync(source).isFile()) throw new TypeError(`registry.register("${version}"): model file ${source} does not exist`)
    if (given === undefined && !existsSync(manifestPathFor(source))) {
      throw new TypeError(`registry.register("${version}"): no manifest given and none beside the model (${manifestPathFor(source)}); record one with recordProvenance({ model }) or pass it`)
    }
    const manifest = (given ?? readManifest(manifestPathFor(source))) as Record<string, unknown>
    if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
      throw new TypeError(`registry.register("${version}"): the manifest must be a JSON object (e.g. what recordProvenance returns), got ${Array.isArray(manifest) ? 'an array' : typeof manifest}`)
    }
    if (options.golden) {
      const parsed = goldenSchema.safeParse(options.golden)
      if (!parsed.success || options.golden.inputs.length !== options.golden.outputs.length) {
        throw new TypeError(`registry.register("${version}"): golden must be { inputs: number[][], outputs: number[][] } with one output row per input row`)
      }
    }
    if (options.latencyBudgetMs !== undefined && !(typeof options.latencyBudgetMs === 'number' && options.latencyBudgetMs > 0 && Number.isFinite(options.latencyBudgetMs))) {
      throw new TypeError(`registry.register("${version}"): latencyBudgetMs must be a positive number of milliseconds (got ${String(options.latencyBudgetMs)})`)
    }
    if (this.has(version)) throw new TypeError(`registry.register: version "${version}" is already registered in ${this.dir}; versions are immutable, register a new name`)
    mkdirSync(this.versionsDir, { recursive: true })
    const existing = this.versions()
    const record = {
      schema: 'mltest-registry-version' as const,
      version,
      model: basename(source),
      registeredAt: new Date().toISOString(),
      sequence: existing.reduce((max, v) => Math.max(max, v.sequence), 0) + 1,
      ...(options.golden ? { golden: options.golden } : {}),
      ...(options.latencyBudgetMs !== undefined ? { latencyBudgetMs: options.latencyBudgetMs } : {}),
    }
    // Built in a temp folder and renamed into place: a version appears whole or not at all.
    const temp = join(this.versionsDir, `.${version}.${process.pid}.${Date.now().toString(36)}.tmp`)
    mkdirSync(temp)
    try {
      copyFileSync(source, join(temp, record.model))
      writeJsonAtomic(join(temp, 'manifest.json'), manifest)
      writeJsonAtomic(join(temp, 'version.json'), record)
      renameSync(temp, join(this.versionsDir, version))
    } catch (error) {
      rmSync(temp, { recursive: true, force: true })
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOTEMPTY' || code === 'EEXIST') throw new TypeError(`registry.register: version "${version}" was registered by another process at the same time`)
      throw error
    }
    return this.get(version)
  }

  versions(): RegisteredVersion[] {
    if (!existsSync(this.versionsDir)) return []
    const names = readdirSync(this.versionsDir).filter((name) => !name.startsWith('.'))
    return names.map((name) => this.get(name)).sort((a, b) => a.sequence - b.sequence || a.registeredAt.localeCompare(b.registeredAt) || a.version.localeCompare(b.version))
  }

  has(version: string): boolean {
    return VERSION_NAME.test(version) && existsSync(join(this.versionsDir, version, 'version.json'))
  }

  get(version: string): RegisteredVersion {
    checkVersionName(version)
    const dir = join(this.versionsDir, version)
    const recordPath = join(dir, 'version.json')
    const record = readJsonFile(recordPath, versionSchema, {
      what: 'registry version record',
      fix: `restore the registry from a backup, or move ${dir} away`,
      missing: { problem: `no version "${version}" in this registry`, fix: `register it first; registered: ${this.names().join(', ') || 'none'}` },
    })
    if (record.version !== version) {
      throw new ReleaseFileError(recordPath, 'registry version record', `names version "${record.version}" but sits in the folder of "${version}"`, 'restore the registry from a backup; the file was left untouched')
    }
    const manifest = readJsonFile(join(dir, 'manifest.json'), manifestSchema, { what: 'registry manifest', fix: `restore it from a backup, or move ${dir} away` })
    return {
      version,
      dir,
      modelPath: join(dir, record.model),
      manifest,
      registeredAt: record.registeredAt,
      sequence: record.sequence,
      ...(record.golden ? { golden: record.golden } : {}),
      ...(record.latencyBudgetMs !== undefined ? { latencyBudgetMs: record.latencyBudgetMs } : {}),
    }
  }

  pointer(): PointerRecord | undefined {
    if (!existsSync(this.pointerPath)) return undefined
    const { schema: _schema, ...pointer } = readJsonFile(this.pointerPath, pointerSchema, {
      what: 'registry pointer',
      fix: `restore it from a backup, or move it away and set the current version again (registry.setCurrent)`,
    })
    if (!this.has(pointer.version)) {
      throw new ReleaseFileError(this.pointerPath, 'registry pointer', `names version "${pointer.version}", which is not registered (registered: ${this.names().join(', ') || 'none'})`, 'restore the version folder, or move the pointer away and set it again; the file was left untouched')
    }
    return pointer
  }

  current(): RegisteredVersion | undefined {
    const pointer = this.pointer()
    return pointer ? this.get(pointer.version) : undefined
  }

  previous(): RegisteredVersion | undefined {
    const current = this.current()
    if (!current) return undefined
    const all = this.versions()
    const index = all.findIndex((v) => v.version === current.version)
    return index > 0 ? all[index - 1] : undefined
  }

  setCurrent(version: string): PointerRecord {
    checkVersionName(version)
    if (!this.has(version)) throw new TypeError(`registry.setCurrent: no version "${version}" in ${this.dir} (registered: ${this.names().join(', ') || 'none'})`)
    // Reading first validates the old pointer: a corrupt one is reported, not overwritten.
    const old = this.pointer()
    const pointer: PointerRecord = {
      version,
      updatedAt: new Date().toISOString(),
      ...(old ? { replaced: old.version } : {}),
      by: { pid: process.pid, host: hostname() },
    }
    writeJsonAtomic(this.pointerPath, { schema: 'mltest-registry-pointer', ...pointer })
    return pointer
  }

  private names(): string[] {
    if (!existsSync(this.versionsDir)) return []
    return readdirSync(this.versionsDir).filter((name) => !name.startsWith('.')).sort()
  }
}

/**
 * Opens (without creating anything yet) the registry in `dir`, relative to the current folder
 * (where mltest runs); the folder is made on the first register.
 */
export function openRegistry(dir = '.mltest/registry'): Registry {
  return new FileRegistry(dir)
}
