/**
 * The error a check throws when it is violated. Its message is the check's whole readable
 * report (what was checked, the threshold, the observed value, the smallest failing input, a
 * replay line), because that message is what every reporter shows.
 *
 * It must be filed as a failed assertion (a JUnit failure, not an error): the worker's error
 * serialiser classifies by `name === 'AssertionError'` or `code === 'ERR_ASSERTION'`, the
 * shape of node:assert's errors, and a CheckFailure carries both. `instanceof CheckFailure`
 * tells it apart from other assertion errors. Like a failed `expect(...).toEqual`, it may
 * carry `expected` and `actual`: when both are objects the serialiser attaches a diff of them.
 */
export interface CheckFailureOptions {
  /** What the check expected, for a structural diff in reports (objects and arrays only). */
  expected?: unknown
  /** What the check observed, diffed against `expected`. */
  actual?: unknown
  cause?: unknown
}

export class CheckFailure extends Error {
  readonly code = 'ERR_ASSERTION'
  declare readonly expected?: unknown
  declare readonly actual?: unknown

  constructor(report: string, options: CheckFailureOptions = {}) {
    super(report, 'cause' in options ? { cause: options.cause } : undefined)
    this.name = 'AssertionError'
    // Own properties only when given: the serialiser diffs whenever both keys exist.
    if ('expected' in options && 'actual' in options) Object.assign(this, { expected: options.expected, actual: options.actual })
  }
}
