/**
 * A `bench` run that threw or rejected, or a benchmark stopped by its test's timeout: an
 * error (not a failed assertion) naming the benchmark and the run, with the thrown value as
 * its `cause`.
 */
export class BenchError extends Error {
  override name = 'BenchError'
}
