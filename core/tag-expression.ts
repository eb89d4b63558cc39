/**
 * `--tag` expressions: tag names combined with `and`, `or`, `not` and parentheses,
 * e.g. `slow and not gpu`, `(onnx or tfjs) and not bench`. `not` binds tightest, then `and`.
 */
export type TagPredicate = (tags: readonly string[]) => boolean

export class TagExpressionError extends Error {
  constructor(expr: string, problem: string) {
    super(`invalid --tag expression "${expr}": ${problem} — use tag names with and, or, not and parentheses, e.g. "slow and not gpu"`)
    this.name = 'TagExpressionError'
  }
}

const TOKEN = /\s*(\(|\)|[^\s()]+)/y

export function parseTagExpression(expr: string): TagPredicate {
  const tokens: string[] = []
  TOKEN.lastIndex = 0
  let match: RegExpExecArray | null
  while ((match = TOKEN.exec(expr))) tokens.push(match[1]!)
  if (tokens.length === 0) throw new TagExpressionError(expr, 'it is empty')
  let pos = 0
  const peek = () => tokens[pos]
  const take = () => tokens[pos++]

  const parseOr = (): TagPredicate => {
    let left = parseAnd()
    while (peek() === 'or') {
      take()
      const a = left
      const b = parseAnd()
      left = (tags) => a(tags) || b(tags)
    }
    return left
  }
  const parseAnd = (): TagPredicate => {
    let left = parseNot()
    while (peek() === 'and') {
      take()
      const a = left
      const b = parseNot()
      left = (tags) => a(tags) && b(tags)
    }
    return left
  }
  const parseNot = (): TagPredicate => {
    if (peek() === 'not') {
      take()
      const inner = parseNot()
      return (tags) => !inner(tags)
    }
    return parseAtom()
  }
  const parseAtom = (): TagPredicate => {
    const token = take()
    if (token === undefined) throw new TagExpressionError(expr, 'it ends where a tag was expected')
    if (token === '(') {
      const inner = parseOr()
      if (take() !== ')') throw new TagExpressionError(expr, 'a "(" is not closed')
      return inner
    }
    if (token === ')' || token === 'and' || token === 'or') {
      throw new TagExpressionError(expr, `"${token}" where a tag was expected`)
    }
    return (tags) => tags.includes(token)
  }

  const predicate = parseOr()
  if (pos < tokens.length) throw new TagExpressionError(expr, `unexpected "${tokens[pos]}"`)
  return predicate
}
