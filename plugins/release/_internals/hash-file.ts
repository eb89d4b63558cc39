/** SHA-256 of a file, streamed in chunks so a large model is never read whole into memory. */
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { createHash } from 'node:crypto'

export interface FileHash {
  sha256: string
  bytes: number
}

export function hashFile(path: string): FileHash {
  const hash = createHash('sha256')
  const fd = openSync(path, 'r')
  const chunk = Buffer.allocUnsafe(1 << 20)
  let bytes = 0
  try {
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, null)
      if (read === 0) break
      hash.update(chunk.subarray(0, read))
      bytes += read
    }
  } finally {
    closeSync(fd)
  }
  return { sha256: hash.digest('hex'), bytes }
}

/** The file's hash, or undefined when it does not exist (other errors throw). */
export function hashIfExists(path: string): FileHash | undefined {
  try {
    statSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  return hashFile(path)
}
