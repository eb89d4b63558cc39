/**
 * Turns the `model` argument (a path, the model's bytes, or a session the caller made) into
 * an InferenceSession, timing the load, and rewrites onnxruntime's load errors (C++ source
 * paths, function signatures) into one line naming the problem and the fix.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import type { InferenceSession } from 'onnxruntime-node'
import { BenchOnnxError } from './bench-onnx-error.ts'
import { runtimeVersion, type OrtModule } from './load-runtime.ts'

export type ModelInput = string | Uint8Array | ArrayBuffer | InferenceSession

export interface OpenedSession {
  session: InferenceSession
  /** A short name for reports: the file name, or `model` for bytes and sessions. */
  label: string
  /** Session creation time in ms; null when the caller passed a session. */
  loadMs: number | null
  /** Whether benchOnnx created (and so may release) the session. */
  owned: boolean
}

export function isSession(value: unknown): value is InferenceSession {
  const v = value as { run?: unknown; inputNames?: unknown } | null
  return typeof v === 'object' && v !== null && typeof v.run === 'function' && Array.isArray(v.inputNames)
}

export async function openSession(
  ort: OrtModule,
  model: ModelInput,
  sessionOptions: InferenceSession.SessionOptions | undefined,
  label: string | undefined,
  /** The reference a plugin's resolveModel hook turned into `model`, for error messages. */
  resolvedFrom?: string,
): Promise<OpenedSession> {
  if (isSession(model)) {
    if (sessionOptions) {
      throw new BenchOnnxError('BAD_OPTION', 'benchOnnx: sessionOptions apply only when benchOnnx creates the session — pass them to InferenceSession.create yourself, or pass the model path instead of a session')
    }
    return { session: model, label: label ?? 'model', loadMs: null, owned: false }
  }
  if (typeof model === 'string') {
    const path = resolve(model)
    checkModelFile(path, model, resolvedFrom)
    return create(ort, () => ort.InferenceSession.create(path, withQuietLog(sessionOptions)), label ?? basename(path), path)
  }
  if (model instanceof Uint8Array || model instanceof ArrayBuffer) {
    const bytes = model instanceof Uint8Array ? model : new Uint8Array(model)
    if (bytes.byteLength === 0) throw new BenchOnnxError('MODEL_INVALID', 'benchOnnx: the model bytes are empty — pass the contents of a .onnx file')
    return create(ort, () => ort.InferenceSession.create(bytes, withQuietLog(sessionOptions)), label ?? 'model', `the model bytes (${bytes.byteLength} B)`)
  }
  const got = model === null ? 'null' : Array.isArray(model) ? 'an array' : typeof model
  throw new BenchOnnxError('BAD_OPTION', `benchOnnx(model): model must be a .onnx file path, its bytes (Uint8Array or ArrayBuffer) or an InferenceSession, got ${got}`)
}

/**
 * onnxruntime logs warnings from native code straight to stderr, past the runner's console
 * capture; errors-only unless the caller asks otherwise. Load failures still reach the user
 * through the thrown error.
 */
function withQuietLog(options: InferenceSession.SessionOptions | undefined): InferenceSession.SessionOptions {
  return { logSeverityLevel: 3, ...options }
}

/** Checks before onnxruntime does, because its messages for these cases are cryptic. */
function checkModelFile(path: string, given: string, resolvedFrom: string | undefined): void {
  if (!existsSync(path)) {
    if (resolvedFrom !== undefined) {
      throw new BenchOnnxError('MODEL_NOT_FOUND', `benchOnnx: model file not found: ${path} (resolved from '${resolvedFrom}' by a plugin's resolveModel hook) — fix the plugin or fetch the model`)
    }
    if (/^[a-z][\w+.-]+:(?![\\/])/i.test(given)) {
      throw new BenchOnnxError('MODEL_NOT_FOUND', `benchOnnx: no plugin resolved the model reference '${given}' and no such file exists — register a plugin with a resolveModel hook for it, or pass a .onnx path`)
    }
    throw new BenchOnnxError('MODEL_NOT_FOUND', `benchOnnx: model file not found: ${path} — check the path (relative paths resolve from ${process.cwd()})`)
  }
  const stat = statSync(path)
  if (stat.isDirectory()) throw new BenchOnnxError('MODEL_NOT_FOUND', `benchOnnx: ${path} is a folder — pass the .onnx file inside it`)
  if (stat.size === 0) throw new BenchOnnxError('MODEL_INVALID', `benchOnnx: ${path} is empty (0 bytes) — re-export or re-download the model`)
  const head = Buffer.alloc(64)
  const fd = openSync(path, 'r')
  try {
    readSync(fd, head, 0, head.length, 0)
  } finally {
    closeSync(fd)
  }
  if (head.toString('latin1').startsWith('version https://git-lfs')) {
    throw new BenchOnnxError('MODEL_INVALID', `benchOnnx: ${path} is a Git LFS pointer, not the model — run "git lfs pull" to fetch it`)
  }
}

async function create(ort: OrtModule, make: () => Promise<InferenceSession>, label: string, where: string): Promise<OpenedSession> {
  const start = process.hrtime.bigint()
  let session: InferenceSession
  try {
    session = await make()
  } catch (error) {
    throw loadError(ort, error, where)
  }
  const loadMs = Number(process.hrtime.bigint() - start) / 1e6
  return { session, label, loadMs, owned: true }
}

function loadError(ort: OrtModule, error: unknown, where: string): BenchOnnxError {
  const message = error instanceof Error ? error.message : String(error)
  const version = runtimeVersion(ort)
  const opset = /Opset (\d+) is under development.*?support for domain (\S+) is till opset (\d+)/s.exec(message)
  if (opset) {
    return new BenchOnnxError(
      'MODEL_UNSUPPORTED',
      `benchOnnx: ${where} uses opset ${opset[1]} of domain ${opset[2]}, but onnxruntime-node ${version} supports up to opset ${opset[3]} — re-export the model with opset ${opset[3]} or lower, or upgrade onnxruntime-node`,
      { cause: error },
    )
  }
  const ir = /Unsupported model IR version: (\d+), max supported IR version: (\d+)/.exec(message)
  if (ir) {
    return new BenchOnnxError(
      'MODEL_UNSUPPORTED',
      `benchOnnx: ${where} has IR version ${ir[1]}, but onnxruntime-node ${version} supports up to IR version ${ir[2]} — re-export it with an older onnx package, or upgrade onnxruntime-node`,
      { cause: error },
    )
  }
  const op = /Could not find an implementation for (\w+)\((\d+)\) node/.exec(message)
  if (op) {
    return new BenchOnnxError(
      'MODEL_UNSUPPORTED',
      `benchOnnx: ${where} uses operator ${op[1]} from opset ${op[2]}, which onnxruntime-node ${version} does not implement on this execution provider (opsets below 7 are legacy) — re-export the model with a newer opset`,
      { cause: error },
    )
  }
  if (/protobuf parsing failed/i.test(message)) {
    return new BenchOnnxError('MODEL_INVALID', `benchOnnx: ${where} is not a valid ONNX model (protobuf parsing failed) — check it is a .onnx ModelProto and not truncated`, { cause: error })
  }
  // Keep onnxruntime's own reason, minus the C++ location and signature it prefixes.
  const reason = message.replace(/^\/\S+:\d+ [^)]*\)\s*/, '').split('\n')[0]
  return new BenchOnnxError('MODEL_INVALID', `benchOnnx: onnxruntime-node ${version} could not load ${where}: ${reason}`, { cause: error })
}
