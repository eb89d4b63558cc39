// Watch mode's inputs, in-process: key presses (watch-keys.ts: a terminal in raw mode, or a
// pipe of line commands) and file changes (watch-files.ts: recursive fs.watch on real temp
// folders, one callback per burst of changes, node_modules and dot-folders ignored).
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import t from 'tap'
import { FileWatcher } from '../../../core/node/watch-files.ts'
import { listenForKeys } from '../../../core/node/watch-keys.ts'

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('keys from a pipe: one command per line, trimmed and lower-cased', async (t) => {
  const stdin = new PassThrough()
  const keys: string[] = []
  const input = listenForKeys(stdin as unknown as NodeJS.ReadStream, (key) => keys.push(key))
  stdin.write('R\n   \n  a  \nQ')
  await delay(10)
  t.same(keys, ['r', 'a'], 'blank lines are ignored; a line counts once it ends')
  stdin.write('\n')
  await delay(10)
  t.same(keys, ['r', 'a', 'q'])
  input.close()
  stdin.write('f\n')
  await delay(10)
  t.same(keys, ['r', 'a', 'q'], 'nothing after close')
})

t.test('keys from a terminal: raw mode, one key per character, Ctrl-C quits', async (t) => {
  // A PassThrough standing in for a TTY: Node's own stream with the two TTY members added.
  const rawModes: boolean[] = []
  const stdin = Object.assign(new PassThrough(), {
    isTTY: true,
    setRawMode(mode: boolean) {
      rawModes.push(mode)
      return this
    },
  })
  const keys: string[] = []
  const input = listenForKeys(stdin as unknown as NodeJS.ReadStream, (key) => keys.push(key))
  t.same(rawModes, [true], 'raw mode on: a key acts at once')
  stdin.write('aR')
  stdin.write('\u0003')
  await delay(10)
  t.same(keys, ['a', 'r', 'q'], 'each character, lower-cased; Ctrl-C (which raw mode no longer turns into SIGINT) is q')
  input.close()
  t.same(rawModes, [true, false], 'raw mode off again on close')
  t.ok(stdin.isPaused(), 'stdin paused, so it no longer holds the process open')
  stdin.write('x')
  await delay(10)
  t.same(keys, ['a', 'r', 'q'], 'nothing after close')
})

t.test('FileWatcher: one call per burst of changes, with every changed path', async (t) => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'mltest-watch-')))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  for (const sub of ['src/deep', 'node_modules/pkg', '.git', 'outside']) mkdirSync(join(dir, sub), { recursive: true })
  const calls: string[][] = []
  const watcher = new FileWatcher((paths) => calls.push([...paths].sort()))
  t.teardown(() => watcher.close())
  watcher.watch([join(dir, 'src'), join(dir, 'src/deep'), join(dir, 'src'), join(dir, 'missing-folder')])
  await delay(50)

  writeFileSync(join(dir, 'src/a.ts'), '1')
  writeFileSync(join(dir, 'src/a.ts'), '2')
  writeFileSync(join(dir, 'src/deep/b.ts'), '1')
  await delay(30)
  t.same(calls, [], 'not before the quiet period')
  await delay(300)
  t.same(calls, [[join(dir, 'src/a.ts'), join(dir, 'src/deep/b.ts')]], 'one call, each path once, subfolders included (a folder inside a watched one adds no second event)')

  watcher.watch([dir])
  await delay(50)
  writeFileSync(join(dir, 'node_modules/pkg/index.js'), '1')
  writeFileSync(join(dir, '.git/index'), '1')
  writeFileSync(join(dir, '.hidden.ts'), '1')
  await delay(300)
  t.equal(calls.length, 1, 'node_modules, dot-folders and dot-files are ignored')
  writeFileSync(join(dir, 'outside/c.ts'), '1')
  await delay(300)
  t.same(calls[1], [join(dir, 'outside/c.ts')], 'a folder watched later')

  watcher.close()
  writeFileSync(join(dir, 'src/a.ts'), '3')
  await delay(300)
  t.equal(calls.length, 2, 'nothing after close')
})

t.test('FileWatcher: close cancels a burst still in its quiet period', async (t) => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'mltest-watch-')))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const calls: string[][] = []
  const watcher = new FileWatcher((paths) => calls.push(paths))
  watcher.watch([dir])
  await delay(50)
  writeFileSync(join(dir, 'a.ts'), '1')
  await delay(30)
  watcher.close()
  await delay(300)
  t.same(calls, [])
})
