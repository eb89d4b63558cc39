/**
 * The reproducibility plugin: after every test attempt it puts back any `Math.random` the
 * test seeded with `seedEverything`, so a forgotten `restore()` cannot leak a seeded stream
 * into the next test in the worker. (Without the plugin the seeded stream already stops
 * applying outside its test; the plugin makes the restore eager.)
 */
import { currentTest, type Plugin } from 'mltest/plugin'
import { restoreSeedsOf } from './seed-everything.ts'

export function reproducibilityPlugin(): Plugin {
  return {
    name: 'reproducibility',
    async wrapTest(next) {
      const test = currentTest()
      try {
        await next()
      } finally {
        restoreSeedsOf(test)
      }
    },
  }
}
