/**
 * The reproducibility plugin: after every test attempt it puts back any `Math.random` the
 * test seeded with `seedEverything`, so a forgotten `restore()` cannot leak a seeded stream
 * into the next test in the worker. (Without the plugin the seeded stream already stops
 * applying outside its test; the plugin makes the restore eager.)
 *
 * Before every test it also switches off tfjs's "install tfjs-node" banner when the test
 * file has loaded tfjs: a test that builds a model before calling a check would otherwise
 * get the banner in its captured output. It loads nothing; without tfjs it does nothing.
 */
import { currentTest, silenceTfjsCpuBanner, type Plugin } from 'mltest/plugin'
import { restoreSeedsOf } from './seed-everything.ts'

export function reproducibilityPlugin(): Plugin {
  return {
    name: 'reproducibility',
    async wrapTest(next) {
      const test = currentTest()
      silenceTfjsCpuBanner()
      try {
        await next()
      } finally {
        restoreSeedsOf(test)
      }
    },
  }
}
