/**
 * `expect(value).toMatchSnapshot(name?)`: Jest-style snapshots of plain values (labels,
 * metric tables, configs, vocabularies), kept in `__snapshots__/<test file>.snap.json`
 * beside the test file and compared exactly. Unnamed snapshots of a test are numbered in
 * call order (`1`, `2`, ...), as Jest counts them; a named one keeps its name. Writing
 * follows the same rules as goldens (./golden-session.ts): written on a first run,
 * rewritten with `mltest run -u`, never written on CI.
 */
import { dirname } from 'node:path'
import type { MatcherFunction } from 'expect'
import { diffLinesUnified } from 'jest-diff'
import { goldenAccess } from './golden-session.ts'
import { encodeSnapshot, snapshotText, type SnapshotJson } from './snapshot-values.ts'

const plain = (text: string) => text

/** A line diff of the stored and the received text, uncoloured so every reporter can show it. */
export function snapshotDiff(stored: string, received: string): string {
  return diffLinesUnified(stored.split('\n'), received.split('\n'), {
    aAnnotation: 'Snapshot',
    bAnnotation: 'Received',
    aColor: plain,
    bColor: plain,
    changeColor: plain,
    commonColor: plain,
    patchColor: plain,
    includeChangeCounts: true,
  })
}

const toMatchSnapshot: MatcherFunction<[name?: string]> = function (received, name) {
  const head = `expect(received).toMatchSnapshot(${typeof name === 'string' ? JSON.stringify(name) : ''})`
  if (this.isNot) throw new Error(`${head}\n\ntoMatchSnapshot cannot be negated with .not`)
  if (name !== undefined && (typeof name !== 'string' || name === '' || /^\d+$/.test(name))) {
    throw new Error(`${head}\n\nA snapshot's name is a non-empty string that is not a number (numbers are the keys of unnamed snapshots)`)
  }
  let encoded: SnapshotJson
  try {
    encoded = encodeSnapshot(received)
  } catch (error) {
    throw new Error(`${head}\n\n${(error as Error).message}`)
  }
  const access = goldenAccess('snapshot', 'toMatchSnapshot')
  let key = name
  if (key === undefined) {
    let n = 1
    while (!access.file.check(access.testKey, String(n))) n++
    key = String(n)
  } else if (!access.file.check(access.testKey, key)) {
    throw new Error(`${head}\n\nThis test already checked a snapshot named "${key}"; give each snapshot of a test its own name`)
  }
  const where = `snapshot ${name === undefined ? `#${key}` : `"${key}"`} of test "${access.testName}" in ${access.shownPath}`
  const stored = access.file.get(access.testKey, key)
  if (stored === undefined) {
    if (access.ci && !access.update) {
      return {
        pass: false,
        message: () =>
          `${head}\n\nNo ${where}, and on CI (CI=${process.env.CI ?? 'true'}) a missing snapshot is never written.\n` +
          `Create it locally with \`mltest run -u\` (a plain \`mltest run\` writes missing snapshots too) and commit ${dirname(access.shownPath)}/.`,
      }
    }
    access.file.set(access.testKey, key, encoded)
    return { pass: true, message: () => `${head}\n\nWrote the new ${where}` }
  }
  const storedText = snapshotText(stored)
  const receivedText = snapshotText(encoded)
  if (storedText === receivedText) return { pass: true, message: () => `${head}\n\nMatches the ${where}` }
  if (access.update) {
    access.file.set(access.testKey, key, encoded)
    return { pass: true, message: () => `${head}\n\nUpdated the ${where}` }
  }
  return {
    pass: false,
    message: () =>
      `${head}\n\nThe value differs from the ${where}:\n\n${snapshotDiff(storedText, receivedText)}\n\n` +
      'If the change is intended, update the snapshot with `mltest run -u`.',
  }
}

/** Registered with `expect.extend` in `./index.ts`. */
export const snapshotMatchers = { toMatchSnapshot } satisfies Record<string, MatcherFunction<any>>
