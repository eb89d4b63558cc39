// A child process for registry.test.ts: opens the registry at argv[2] and points `current`
// at the versions in argv[3] (comma-separated) in turn, argv[4] times (-1: until killed),
// printing the number of updates done after each one.
import { openRegistry } from '../../../plugins/release/registry.ts'

const [dir, list, times] = process.argv.slice(2)
const registry = openRegistry(dir!)
const versions = list!.split(',')
const total = Number(times)
for (let i = 0; total < 0 || i < total; i++) {
  registry.setCurrent(versions[i % versions.length]!)
  process.stdout.write(`${i + 1}\n`)
}
