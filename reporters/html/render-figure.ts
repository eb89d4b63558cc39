/**
 * A check's figure (a Vega-Lite spec with inline data) drawn as inline SVG at report time:
 * compiled with vega-lite and rendered by vega's headless `toSVG()` in Node, no DOM and no
 * canvas. vega and vega-lite load here, on the first figure, so only a run with the html
 * reporter pays for them.
 *
 * A figure that cannot be drawn becomes its error as text, never a broken report: the spec is
 * checked again with `figure()` (inline data, size cap: a hand-edited JSON result may carry
 * anything), vega's loader refuses every load, and warnings go to the figure, not the console
 * (without the `canvas` package vega estimates text widths and says nothing).
 */
import { figure as checkedFigure, type CheckFigure } from 'mltest/plugin'

export type DrawnFigure = { ok: true; svg: string; warnings: string[] } | { ok: false; error: string; warnings: string[] }

interface Vega {
  View: new (runtime: unknown, options: Record<string, unknown>) => { toSVG(): Promise<string>; finalize(): void }
  parse(spec: unknown, config?: unknown, options?: unknown): unknown
  loader(): { load: unknown; sanitize: unknown }
}
interface VegaLite {
  compile(spec: unknown, options?: Record<string, unknown>): { spec: unknown }
}

let libraries: Promise<{ vega: Vega; vegaLite: VegaLite }> | undefined

function loadLibraries(): Promise<{ vega: Vega; vegaLite: VegaLite }> {
  libraries ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vegaLite]) => ({ vega: vega as unknown as Vega, vegaLite: vegaLite as unknown as VegaLite }))
  return libraries
}

/** vega's and vega-lite's logger interface, collecting what they say instead of printing it. */
function collectingLogger(into: string[]) {
  let level = 2
  const logger = {
    level(value?: number) {
      if (value === undefined) return level
      level = value
      return logger
    },
    error(...args: unknown[]) {
      into.push(args.map(String).join(' '))
      return logger
    },
    warn(...args: unknown[]) {
      into.push(args.map(String).join(' '))
      return logger
    },
    info() {
      return logger
    },
    debug() {
      return logger
    },
  }
  return logger
}

/** A loader that loads nothing: a figure draws its inline data only, never a file or URL. */
function refusingLoader(vega: Vega) {
  const refuse = (uri: unknown) => Promise.reject(new Error(`figures draw inline data only; refused to load ${String(uri)}`))
  return { ...vega.loader(), load: refuse, sanitize: refuse, http: refuse, file: refuse }
}

/**
 * What an SVG from vega must not carry into the page: links (an `href` mark channel; an
 * `image` mark would fetch at view time), scripts, foreign HTML, event attributes. vega
 * escapes text and attribute values itself; this is the second line of defence.
 */
function sanitizeSvg(svg: string): string {
  const cleaned = svg.replace(/\s(?:xlink:)?href="[^"]*"/g, '')
  if (/<(?:script|foreignObject|iframe|object|embed)\b|\son[a-z]+\s*=/i.test(cleaned)) throw new Error('the rendered SVG holds a script, foreign content or an event attribute; it is not shown')
  return cleaned
}

/** Draws one figure; never throws. */
export async function drawFigure(fig: CheckFigure): Promise<DrawnFigure> {
  const warnings: string[] = []
  try {
    if (fig === null || typeof fig !== 'object' || fig.spec === null || typeof fig.spec !== 'object' || Array.isArray(fig.spec)) throw new TypeError('the figure has no Vega-Lite spec object')
    checkedFigure(String(fig.title), fig.spec, fig.note)
    const { vega, vegaLite } = await loadLibraries()
    const logger = collectingLogger(warnings)
    const compiled = vegaLite.compile(fig.spec, { logger }).spec
    const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger, logLevel: 2, loader: refusingLoader(vega) })
    try {
      return { ok: true, svg: sanitizeSvg(await view.toSVG()), warnings }
    } finally {
      view.finalize()
    }
  } catch (error) {
    return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error), warnings }
  }
}
