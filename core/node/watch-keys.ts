/**
 * Keys for `mltest watch`. On a terminal, stdin goes into raw mode so one key press acts at
 * once (Ctrl-C included, which raw mode no longer turns into SIGINT). When stdin is a pipe,
 * each line is a command, so scripts and tests can drive watch mode.
 */
import { createInterface } from 'node:readline'

export interface KeyInput {
  close(): void
}

export function listenForKeys(stdin: NodeJS.ReadStream, onKey: (key: string) => void): KeyInput {
  if (stdin.isTTY) {
    stdin.setRawMode(true)
    stdin.setEncoding('utf8')
    const onData = (chunk: string) => {
      for (const ch of chunk) onKey(ch === '\u0003' ? 'q' : ch.toLowerCase())
    }
    stdin.on('data', onData)
    stdin.resume()
    return {
      close() {
        stdin.off('data', onData)
        stdin.setRawMode(false)
        stdin.pause()
      },
    }
  }
  const lines = createInterface({ input: stdin })
  lines.on('line', (line) => {
    const key = line.trim().toLowerCase()
    if (key) onKey(key)
  })
  return {
    close() {
      lines.close()
      stdin.pause()
      // A paused pipe still holds the event loop open: without this, `q` on a piped stdin left the process running.
      ;(stdin as { unref?: () => void }).unref?.()
      // Deno keeps a paused stdin pipe open, and the process with it, until it is destroyed.
      stdin.destroy()
    },
  }
}
