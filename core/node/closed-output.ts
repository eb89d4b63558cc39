/**
 * Output to a reader that went away (`mltest run --list | head -2`): the pipe closes and the
 * next write fails with EPIPE. The rest of the output is dropped quietly and the command
 * ends as it would have (file reporters still write, the exit code is the run's), rather
 * than crashing with an unhandled 'error' event and its stack trace.
 */
let installed = false

export function dropOutputToClosedPipes(): void {
  if (installed) return
  installed = true
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return
      throw error
    })
  }
}
