/**
 * Bad input from the user (a broken config, a missing path, an unknown option): the CLI
 * prints the one-line message and exits with code 2. The message names the problem and
 * the fix.
 */
export class UsageError extends Error {
  override name = 'UsageError'
}
