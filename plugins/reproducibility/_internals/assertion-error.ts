/**
 * Checks fail with an Error named 'AssertionError' so mltest classifies the failure as an
 * assertion (a JUnit failure, not an error); its message is the check's readable report.
 */
export function assertionError<T extends object>(report: string, fields: T): Error & T {
  const error = new Error(report) as Error & T
  error.name = 'AssertionError'
  Object.assign(error, fields)
  return error
}
