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
import { figure as checkedFigure, importOptional, type CheckFigure } from 'mltest/plugin'

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
  // Optional peers: without them each figure says what to install, and the rest of the report is whole.
  const options = { feature: 'the html reporter\'s figures', installHint: 'npm install --save-dev vega vega-lite' }
  libraries ??= Promise.all([importOptional<Vega>('vega', { ...options, unwrapKey: 'View' }), importOptional<VegaLite>('vega-lite', { ...options, unwrapKey: 'compile' })]).then(([vega, vegaLite]) => ({ vega, vegaLite }))
  return libraries
}

/**
 * vega's and vega-lite's logger interface, collecting what they say instead of printing it,
 * each message once. "Infinite extent" is left out: it only says a layer has no rows (a
 * budget line for a benchmark without a budget), which the figure already shows.
 */
function collectingLogger(into: string[]) {
  let level = 2
  const keep = (args: unknown[]) => {
    const message = args.map(String).join(' ')
    if (!message.startsWith('Infinite extent for field') && !into.includes(message)) into.push(message)
  }
  const logger = {
    level(value?: number) {
      if (value === undefined) return level
      level = value
      return logger
    },
    error(...args: unknown[]) {
      keep(args)
      return logger
    },
    warn(...args: unknown[]) {
      keep(args)
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

/**
 * A loader that loads nothing: a figure draws its inline data only, never a file or URL.
 * Links and images (`href`, `url` channels) sanitise to no address at all: a rejection there
 * would crash the process (vega's SVG writer reads the result of a promise it never catches).
 */
function refusingLoader(vega: Vega) {
  const refuse = (uri: unknown) => Promise.reject(new Error(`figures draw inline data only; refused to load ${String(uri)}`))
  return { ...vega.loader(), load: refuse, sanitize: () => Promise.resolve({}), http: refuse, file: refuse }
}

/** Elements a chart never needs and a page must not get from one. */
const FORBIDDEN_ELEMENTS = new Set(['script', 'foreignobject', 'iframe', 'object', 'embed', 'style', 'image', 'use', 'animate', 'set'])

/**
 * What an SVG from vega must not carry into the page: links (an `href` mark channel), images
 * (an `image` mark would fetch at view time), scripts, foreign HTML, event attributes. vega
 * escapes text and double-quotes every attribute value (escaping `"` inside), so each tag is
 * read attribute by attribute: `href`s are dropped, and anything else on the list refuses the
 * whole figure. The second line of defence, after vega's own escaping.
 */
export function sanitizeSvg(svg: string): string {
  return svg.replace(/<(\/?)([a-zA-Z][\w:.-]*)((?:\s+[^\s=>\/]+(?:="[^"]*")?)*)\s*(\/?)>/g, (_tag, close: string, name: string, attributes: string, selfClose: string) => {
    if (FORBIDDEN_ELEMENTS.has(name.toLowerCase())) throw new Error(`the rendered SVG holds a <${name}> element; the figure is not shown`)
    const kept = attributes.replace(/\s+([^\s=>\/]+)(?:="[^"]*")?/g, (attribute: string, attributeName: string) => {
      const lower = attributeName.toLowerCase()
      if (lower.startsWith('on')) throw new Error(`the rendered SVG holds an event attribute ${attributeName}; the figure is not shown`)
      // A paint like url(http://...) would fetch at view time; vega's own gradients are url(#id).
      const remote = /url\(\s*['"]?(?!#)/i.test(attribute.replace(/&quot;|&#39;/g, '"'))
      return lower === 'href' || lower === 'xlink:href' || lower === 'style' || remote ? '' : attribute
    })
    return `<${close}${name}${kept}${selfClose}>`
  })
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
