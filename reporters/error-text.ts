/**
 * A serialized error as plain text, shared by the file reporters: `Name: message`, the diff
 * unless the message already shows it (expect's messages embed their own diff), the stack
 * frames, then the cause chain.
 */
import type { SerializedError } from 'mltest/plugin'

/** The diff, when the message does not already contain it. */
export function extraDiff(error: SerializedError): string | undefined {
  if (!error.diff) return undefined
  return error.message.includes(error.diff.split('\n')[0]!) ? undefined : error.diff
}

export function stackFrames(error: SerializedError): string[] {
  return error.stack?.split('\n').filter((l) => /^\s+at /.test(l)) ?? []
}

export function errorText(error: SerializedError, options: { frames?: boolean } = {}): string {
  const lines = [`${error.name}: ${error.message}`]
  const diff = extraDiff(error)
  if (diff) lines.push('', diff)
  const frames = options.frames === false ? [] : stackFrames(error)
  if (frames.length) lines.push('', ...frames)
  if (error.cause) lines.push('', `Caused by: ${errorText(error.cause, options)}`)
  return lines.join('\n')
}
