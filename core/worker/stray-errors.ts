/**
 * Errors thrown outside any awaited promise (a stray timer, an unawaited rejection) cannot
 * be caught where they happen. The worker routes them to one listener at a time: the test
 * attempt in progress, else the file being run. With no listener they are dropped rather
 * than ending the worker, which runs other files.
 */
type StrayErrorListener = (error: unknown) => void

let listener: StrayErrorListener | undefined
process.on('uncaughtException', (error) => listener?.(error))
process.on('unhandledRejection', (error) => listener?.(error))

/** Sends stray errors to `to` until the returned function puts the previous listener back. */
export function listenForStrayErrors(to: StrayErrorListener): () => void {
  const previous = listener
  listener = to
  return () => {
    listener = previous
  }
}
