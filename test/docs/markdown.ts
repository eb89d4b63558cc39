/**
 * Just enough Markdown for the docs tests: fenced code blocks with their info strings,
 * relative links, and GitHub's heading anchors. The conventions themselves are documented at
 * the top of docs/README.md.
 */

export interface CodeBlock {
  /** First word of the info string, e.g. `ts`. */
  lang: string
  /** The other words, e.g. `['mltest-test', 'fails']`. */
  flags: string[]
  code: string
  /** 1-based line of the opening fence. */
  line: number
}

/** TypeScript info strings: every such block must be run or marked `fragment`. */
export const TS_LANGS = new Set(['ts', 'typescript', 'mts', 'cts', 'tsx'])

/** Fenced blocks (``` or ~~~, any length, closed by a fence of the same kind at least as long). */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n')
  const blocks: CodeBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]!)
    if (!open) continue
    const fence = open[1]!
    const info = open[2]!.trim()
    const body: string[] = []
    let j = i + 1
    for (; j < lines.length; j++) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(lines[j]!)
      if (close && close[1]![0] === fence[0] && close[1]!.length >= fence.length) break
      body.push(lines[j]!)
    }
    const [lang = '', ...flags] = info.split(/\s+/).filter(Boolean)
    blocks.push({ lang: lang.toLowerCase(), flags, code: body.join('\n') + '\n', line: i + 1 })
    i = j
  }
  return blocks
}

/** The text outside fenced blocks (and, unless kept, inline code spans), line numbers kept. */
function prose(markdown: string, keepInlineCode = false): string[] {
  const lines = markdown.split('\n')
  const fenced = new Set<number>()
  for (const block of codeBlocks(markdown)) {
    const end = block.line + block.code.split('\n').length
    for (let n = block.line; n <= end; n++) fenced.add(n)
  }
  return lines.map((line, i) => (fenced.has(i + 1) ? '' : keepInlineCode ? line : line.replace(/(`+)[^`]*?\1/g, '')))
}

export interface Link {
  target: string
  line: number
}

/** Inline links and images `[text](target)` and reference definitions `[id]: target`. */
export function links(markdown: string): Link[] {
  const found: Link[] = []
  prose(markdown).forEach((line, i) => {
    for (const m of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) found.push({ target: m[1]!, line: i + 1 })
    const def = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(line)
    if (def) found.push({ target: def[1]!, line: i + 1 })
  })
  return found
}

/** GitHub's anchor for a heading text (github-slugger's rule, ASCII punctuation and symbols dropped). */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/[`*]/g, '')
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\p{Pc} -]/gu, '')
    .replace(/ /g, '-')
}

/** Every anchor a page offers: its ATX headings' slugs (duplicates numbered) and explicit ids. */
export function anchors(markdown: string): Set<string> {
  const out = new Set<string>()
  const seen = new Map<string, number>()
  for (const line of prose(markdown, true)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)
    if (heading) {
      const base = slug(heading[1]!)
      const n = seen.get(base) ?? 0
      seen.set(base, n + 1)
      out.add(n === 0 ? base : `${base}-${n}`)
    }
    for (const m of line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) out.add(m[1]!)
  }
  return out
}

/** The level-2 headings of a page, in order. */
export function sections(markdown: string): string[] {
  return prose(markdown, true)
    .map((line) => /^##\s+(.*?)\s*$/.exec(line)?.[1])
    .filter((h): h is string => h !== undefined)
}
