/**
 * File-change events for `mltest watch`: recursive `fs.watch` on a minimal set of folders
 * (the project root, plus folders of imported modules that live outside it), changes
 * collected over a short quiet period so one editor save (often several events) triggers
 * one rerun. `node_modules` and dot-folders under a watched folder are ignored.
 */
import { watch, type FSWatcher } from 'node:fs'
import { resolve, sep } from 'node:path'

const QUIET_MS = 120

export class FileWatcher {
  private readonly watchers = new Map<string, FSWatcher>()
  private readonly pending = new Set<string>()
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly onChanges: (paths: string[]) => void) {}

  /** Watches `dirs`, skipping any inside a folder already watched. */
  watch(dirs: string[]): void {
    const sorted = [...new Set(dirs)].sort((a, b) => a.length - b.length)
    for (const dir of sorted) {
      const covered = [...this.watchers.keys()].some((w) => dir === w || dir.startsWith(w + sep))
      if (covered) continue
      try {
        const watcher = watch(dir, { recursive: true }, (_event, name) => {
          if (name) this.record(dir, name.toString())
        })
        watcher.on('error', () => this.watchers.delete(dir))
        this.watchers.set(dir, watcher)
      } catch {
        // A folder that vanished or cannot be watched: its changes are simply not seen.
      }
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer)
    for (const watcher of this.watchers.values()) watcher.close()
    this.watchers.clear()
  }

  private record(dir: string, name: string): void {
    if (name.split(/[\\/]/).some((part) => part === 'node_modules' || part.startsWith('.'))) return
    this.pending.add(resolve(dir, name))
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      const paths = [...this.pending]
      this.pending.clear()
      this.onChanges(paths)
    }, QUIET_MS)
  }
}
