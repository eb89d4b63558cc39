/**
 * JUnit schema validation with xmllint (Debian's libxml2-utils, installed by .ci/run). When
 * xmllint is missing, tests that need it skip with this reason instead of failing.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const JUNIT_XSD = fileURLToPath(new URL('../schemas/junit-ant.xsd', import.meta.url))

export const xmllintMissing: string | false =
  spawnSync('xmllint', ['--version'], { encoding: 'utf8' }).error ? 'xmllint is not installed — apt-get install libxml2-utils' : false

/** Validates `file` against the strict JUnit schema; `ok` and xmllint's output. */
export function validateJunit(file: string): { ok: boolean; output: string } {
  const r = spawnSync('xmllint', ['--noout', '--schema', JUNIT_XSD, file], { encoding: 'utf8' })
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` }
}
