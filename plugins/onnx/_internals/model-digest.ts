/**
 * The SHA-256 of a model: the identity of what benchOnnx measured, so the benchmark history
 * can tell a new model version under the same benchmark name. A file is streamed (a model can
 * be gigabytes), once per benchOnnx call.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

export function sha256OfBytes(bytes: Uint8Array | ArrayBuffer): string {
  return createHash('sha256')
    .update(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes))
    .digest('hex')
}
