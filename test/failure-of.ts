/**
 * For tests that show a check failing: the failure's error, or a test failure when the check
 * unexpectedly passed (so a check that cannot fail cannot hide behind these helpers).
 */

/** Runs an assertion that must fail and returns its message. */
export function failureOf(assertion: () => void): string {
  try {
    assertion()
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('expected the assertion to fail, but it passed')
}

/** Awaits a check that must reject and returns its error, of class `type` when given. */
export async function rejectionOf<E extends Error = Error>(check: Promise<unknown>, type?: abstract new (...args: never[]) => E): Promise<E> {
  try {
    await check
  } catch (error) {
    if (type && !(error instanceof type)) throw new Error(`expected a ${type.name}, got ${String(error)}`)
    return error as E
  }
  throw new Error('expected the check to fail, it passed')
}
