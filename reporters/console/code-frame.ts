/** A few source lines around a failure, from the file on disk (TypeScript positions come from tsx's source maps). */
import { readFileSync } from 'node:fs'
import { codeFrameColumns } from '@babel/code-frame'
import type { SourceLocation } from 'mltest/plugin'

const sources = new Map<string, string | undefined>()

export function codeFrame(location: SourceLocation, color: boolean): string | undefined {
  if (!sources.has(location.file)) {
    let text: string | undefined
    try {
      text = readFileSync(location.file, 'utf8')
    } catch {
      text = undefined
    }
    sources.set(location.file, text)
  }
  const source = sources.get(location.file)
  if (source === undefined) return undefined
  return codeFrameColumns(source, { start: { line: location.line, column: location.column } }, { highlightCode: color, linesAbove: 2, linesBelow: 2 })
}
