/**
 * The one table padder for plain-text reports: columns as wide as their widest cell, two
 * spaces apart, no trailing spaces (reports end up in JUnit XML and snapshots, where trailing
 * whitespace is noise). Numbers read best right-aligned, names left-aligned; the caller says
 * which per column.
 */
export type ColumnAlign = 'left' | 'right'

export interface FormatTableOptions {
  /** One alignment for every column, or one per column (missing ones left). Default 'left'. */
  align?: ColumnAlign | readonly ColumnAlign[]
  /** Text before every line, e.g. '    ' to nest the table in a report. Default ''. */
  indent?: string
  /** Text between columns. Default two spaces. */
  gap?: string
}

/** Pads `rows` (the first is usually the header) into aligned lines joined with '\n'. */
export function formatTable(rows: readonly (readonly string[])[], options: FormatTableOptions = {}): string {
  const { align = 'left', indent = '', gap = '  ' } = options
  const columns = Math.max(0, ...rows.map((r) => r.length))
  const widths = Array.from({ length: columns }, (_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)))
  const alignOf = (c: number): ColumnAlign => (typeof align === 'string' ? align : align[c] ?? 'left')
  return rows
    .map((row) => {
      const cells = widths.map((width, c) => {
        const cell = row[c] ?? ''
        return alignOf(c) === 'right' ? cell.padStart(width) : cell.padEnd(width)
      })
      return (indent + cells.join(gap)).trimEnd()
    })
    .join('\n')
}
