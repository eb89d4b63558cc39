/**
 * A release file mltest cannot use: a registry pointer, a version record, a provenance
 * manifest or a dependency baseline that is missing, not JSON, or not the shape mltest wrote.
 * One line naming the file, the problem and the fix; the CLI prints it and exits 2. The file
 * is never touched on the way to this error (nothing is overwritten to "repair" it).
 */
import { UsageError } from 'mltest/plugin'

export class ReleaseFileError extends UsageError {
  constructor(
    readonly path: string,
    readonly what: string,
    problem: string,
    fix: string,
  ) {
    super(`${what} ${path}: ${problem} — ${fix}`)
  }
}

export const LEFT_ALONE = 'the file was left untouched'

/** The first line of an error's message (JSON.parse messages can quote a whole file). */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  const line = message.split('\n')[0] ?? ''
  return line.length > 160 ? `${line.slice(0, 157)}...` : line
}
