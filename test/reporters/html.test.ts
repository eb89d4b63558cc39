// The html reporter in a real browser: a real run of test/fixtures/html-report (checks with
// figures from real data, failures, logs) rendered by the real CLI, live and from its JSON
// with `mltest report`, opened in Debian's Chromium through playwright-core (no browser
// download; skipped with the reason when /usr/bin/chromium is absent). The page loads with
// no console error and no request but the file itself, every figure a check attached is an
// SVG with marks, and a screenshot lands in the test's folder. Hostile names render as text
// with the Content-Security-Policy bypassed (escaping alone keeps `window.__pwned` unset);
// 10,000 tests and a 100,000-sample benchmark stay small; vega loads only for this reporter.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import type { Browser, Page } from 'playwright-core'
import type { CheckFigure, RunResult, TestResult } from 'mltest/plugin'
import { bin, cli } from './_project.ts'

const CHROMIUM = process.env.MLTEST_CHROMIUM ?? '/usr/bin/chromium'
const FIXTURE = new URL('../fixtures/html-report/', import.meta.url).pathname
const noBrowser = existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (install Debian's chromium package, as .ci/run does)`

let browser: Browser | undefined
async function getBrowser(): Promise<Browser> {
  if (!browser) {
    const { chromium } = await import('playwright-core')
    browser = await chromium.launch({ executablePath: CHROMIUM })
  }
  return browser
}
t.teardown(async () => {
  await browser?.close()
})

interface Opened {
  page: Page
  consoleErrors: string[]
  requests: string[]
  close(): Promise<void>
}

/** Opens a report; every request is routed and recorded, and only the file itself is let through. */
async function open(file: string, options: { bypassCSP?: boolean } = {}): Promise<Opened> {
  const context = await (await getBrowser()).newContext({ viewport: { width: 1200, height: 900 }, bypassCSP: options.bypassCSP ?? false })
  const page = await context.newPage()
  const consoleErrors: string[] = []
  const requests: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(m.text())
  })
  page.on('pageerror', (e) => consoleErrors.push(e.message))
  const url = `file://${file}`
  await page.route('**/*', (route) => {
    requests.push(route.request().url())
    return route.request().url() === url ? route.continue() : route.abort()
  })
  await page.goto(url, { waitUntil: 'load' })
  return { page, consoleErrors, requests, close: () => context.close() }
}

const figuresOf = (run: RunResult): Array<{ test: TestResult; figure: CheckFigure }> =>
  run.files.flatMap((f) => f.tests.flatMap((test) => test.checks.flatMap((c) => (c.figures ?? []).map((figure) => ({ test, figure })))))

t.test('a real run: live and replayed from JSON, drawn in Chromium', { skip: noBrowser }, async (t) => {
  const dir = t.testdir()
  const run = cli(['run', '--seed', '5', '--reporter', `json:${dir}/run.json`, '--reporter', `html:${dir}/run.html`], FIXTURE)
  t.equal(run.status, 1, 'the fixture fails on purpose')
  t.equal(run.stderr, '', 'nothing on stderr: vega says nothing to the console')
  const result = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunResult
  const figures = figuresOf(result)
  t.ok(figures.length >= 4, `${figures.length} figures attached by the fixture's checks`)

  const replay = cli(['report', join(dir, 'run.json'), '--reporter', `html:${dir}/replayed.html`], dir)
  t.equal(replay.status, 1, "mltest report exits with the run's code")
  t.equal(replay.stderr, '')

  for (const name of ['run.html', 'replayed.html']) {
    const file = join(dir, name)
    const html = readFileSync(file, 'utf8')
    t.notMatch(html, /<script\b|https?:\/\/(?!www\.w3\.org\/)/, `${name}: no script, no URL but SVG namespaces`)
    const { page, consoleErrors, requests, close } = await open(file)
    t.same(consoleErrors, [], `${name}: no console error or warning`)
    t.same(requests, [`file://${file}`], `${name}: no request but the file itself`)

    const drawn = await page.$$eval('figure.figure', (nodes) =>
      nodes.map((n) => ({
        title: n.querySelector('figcaption')?.textContent ?? '',
        marks: n.querySelectorAll('svg g[class*="mark-"] > path, svg g[class*="mark-"] > line, svg g[class*="mark-"] > rect, svg g[class*="mark-"] > text').length,
        error: n.querySelector('pre.error')?.textContent ?? null,
        width: n.querySelector('svg')?.getBoundingClientRect().width ?? 0,
      })),
    )
    t.equal(drawn.length, figures.length, `${name}: one <figure> per attached figure`)
    for (const { figure } of figures) {
      const shown = drawn.find((d) => d.title === figure.title)
      if (figure.title === 'A figure that cannot be drawn') {
        t.match(shown, { marks: 0, error: /^figure not drawn: \w+Error: / }, `${name}: the broken figure shows its error in place`)
      } else {
        t.ok(shown && shown.error === null && shown.marks > 10 && shown.width > 100, `${name}: "${figure.title}" is an SVG with ${shown?.marks} marks, ${Math.round(shown?.width ?? 0)} px wide`)
      }
    }
    const scatter = await page.$$eval('figure.figure', (nodes) => nodes.find((n) => n.textContent?.includes('Predicted vs observed'))?.querySelectorAll('g.mark-symbol path').length ?? 0)
    t.equal(scatter, 392, 'the scatter has a point per car with both figures')

    const text = await page.locator('body').innerText()
    t.match(text, /mltest: 1 passed, 2 failed, 1 skipped, 1 todo, 1 inconclusive/, 'the closing line')
    t.match(text, /Seed\s+5/)
    t.notMatch(text, /Readiness \d/, 'no readiness ledger unless asked for')
    t.match(text, /mltest run --seed 5/, 'the replay command')
    t.match(text, /Node v\d+/, 'the environment')
    t.match(text, /- Expected\s+- 1\s*\n\+ Received\s+\+ 1/, 'the equality diff')
    t.match(text, /at figures\.mltest\.ts:\d+:\d+/, 'the code location')
    t.match(text, /> \d+ \|\s+expect\(\{ species: 'Gentoo'/, 'the code frame')
    t.match(text, /mltest run figures\.mltest\.ts --seed 5 -t '\^penguins > body mass matches the reference\$'/, "a failed test's replay line")
    t.match(text, /the acceleration of 406 cars cannot tell a 1% shift at 80% power/, 'the inconclusive reason')
    t.match(text, /100 of 406 cars shown, evenly spaced/, "a figure's downsampling note")
    t.match(text, /194 of 392 predictions outside ±3 mpg/, "a check's summary")
    t.match(text, /toleranceMpg\s+3/, 'metrics')
    const tags = await page.$$eval('li.test .tag', (n) => n.map((x) => x.textContent))
    t.same(tags, ['data', 'parity', 'slow'], 'tags')
    await page.locator('details.logs summary').first().click()
    t.match(await page.locator('details.logs pre').first().innerText(), /342 penguins with a flipper length/, 'captured logs')

    // The CSS-only filter: "failed, inconclusive and errors" hides the passed test.
    await page.locator('#show-problems').check()
    t.equal(await page.locator('li.test.passed').first().isVisible(), false, 'the filter hides passed tests')
    t.equal(await page.locator('li.test.failed').first().isVisible(), true)
    await page.locator('#show-all').check()
    await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true })
    t.ok(statSync(join(dir, `${name}.png`)).size > 20_000, `screenshot written: ${join(dir, `${name}.png`)}`)
    await close()
  }
})

t.test('readable without JavaScript', { skip: noBrowser }, async (t) => {
  const dir = t.testdir()
  cli(['run', '--seed', '5', '--readiness', '--reporter', `html:${dir}/run.html`], FIXTURE)
  const context = await (await getBrowser()).newContext({ javaScriptEnabled: false })
  const page = await context.newPage()
  await page.goto(`file://${dir}/run.html`)
  t.match(await page.locator('body').innerText(), /predicted vs observed mpg/)
  t.match(await page.locator('#summary').innerText(), /Readiness 0\/4\s+development 1\/4/, 'with --readiness, the ledger (data-slices automated, model-unit-test failing)')
  t.equal(await page.locator('table.readiness tr.failing td[title]').textContent(), 'model-unit-test')
  t.ok((await page.locator('figure.figure svg').count()) >= 3, 'figures are there as SVG')
  await context.close()
})

const HOSTILE = `<img src=x onerror="window.__pwned=1">`
const SCRIPT_END = `</script><script>window.__pwned=2</script>`

t.test('hostile names render as text and run nothing', { skip: noBrowser }, async (t) => {
  const dir = t.testdir({
    'hostile.mltest.ts': `import { describe, test, expect } from 'mltest'
import { figure, recordCheck } from 'mltest/plugin'
const HOSTILE = ${JSON.stringify(HOSTILE)}
const SCRIPT_END = ${JSON.stringify(SCRIPT_END)}
describe(SCRIPT_END, () => {
  test(HOSTILE, () => {
    console.log('log ' + HOSTILE)
    recordCheck({
      check: 'check' + HOSTILE,
      practice: SCRIPT_END,
      verdict: 'fail',
      metrics: { [HOSTILE]: SCRIPT_END },
      summary: 'summary ' + HOSTILE,
      reason: 'reason ' + SCRIPT_END,
      figures: [figure('title ' + HOSTILE, {
        title: 'chart ' + SCRIPT_END,
        data: { values: [{ category: HOSTILE, n: 3 }, { category: SCRIPT_END, n: 5 }] },
        mark: 'bar',
        encoding: { x: { field: 'category', type: 'nominal' }, y: { field: 'n', type: 'quantitative' }, href: { field: 'category' }, tooltip: { field: 'category' } },
      }, 'note ' + HOSTILE)],
    })
    expect(HOSTILE).toBe(SCRIPT_END)
  }, { tags: [HOSTILE] })
})
`,
  })
  const run = cli(['run', '--reporter', `json:${dir}/run.json`, '--reporter', `html:${dir}/report.html`], dir)
  t.equal(run.status, 1, run.stdout + run.stderr)
  t.match(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).summary, { failed: 1, fileErrors: 0 }, 'the hostile test ran and failed')
  const html = readFileSync(join(dir, 'report.html'), 'utf8')
  t.notMatch(html, /<img|<\/?script/i, 'no hostile markup in the file (a quote in SVG text content is harmless)')
  t.notMatch(html, /href="(?!#t\d+-\d+")/, "no link from the href channel survives (only the page's own anchors)")
  // Without the page's Content-Security-Policy, so escaping alone is what is tested.
  const { page, consoleErrors, requests, close } = await open(join(dir, 'report.html'), { bypassCSP: true })
  t.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined, 'window.__pwned stays unset')
  t.equal(await page.locator('img').count(), 0, 'no <img> element')
  t.equal(await page.locator('script').count(), 0, 'no <script> element')
  t.same(requests, [`file://${join(dir, 'report.html')}`], 'the src=x image was never requested')
  t.same(consoleErrors, [])
  await page.locator('details.logs summary').click()
  const text = await page.locator('body').innerText()
  for (const expected of [`${SCRIPT_END} > ${HOSTILE}`, `check${HOSTILE}`, `summary ${HOSTILE}`, `reason ${SCRIPT_END}`, `title ${HOSTILE}`, `note ${HOSTILE}`, `log ${HOSTILE}`]) {
    t.ok(text.includes(expected), `shown as text: ${expected}`)
  }
  const svgText = await page.locator('figure.figure svg').first().textContent()
  t.ok(svgText?.includes('chart </script><script>window.__pwned=2</script>'), 'SVG text from vega is escaped text too')
  t.ok((await page.locator('figure.figure svg g.mark-rect path').count()) === 2, 'the bars are drawn')
  await close()
})

/** A synthetic result tree (what `mltest report` reads): `tests` passing tests in 100 files. */
function bigRun(tests: number): RunResult {
  const files = Array.from({ length: 100 }, (_, f) => ({
    file: `/project/tests/area-${f}.mltest.ts`,
    durationMs: 120,
    errors: [],
    tests: Array.from({ length: tests / 100 }, (_, i) => ({
      id: `tests/area-${f}.mltest.ts::case ${i}`,
      file: `/project/tests/area-${f}.mltest.ts`,
      suitePath: ['suite'],
      name: `case ${i}`,
      fullName: `suite > case ${i}`,
      tags: [],
      durationMs: 3,
      attempts: 1,
      expectFail: false,
      seed: 1,
      annotations: [],
      checks: [],
      logs: [],
      state: 'passed' as const,
    })),
  }))
  return { rootDir: '/project', seed: 1, startedAt: '2026-12-06T00:00:00.000Z', durationMs: 1000, files, summary: { passed: tests, failed: 0, skipped: 0, todo: 0, inconclusive: 0, fileErrors: 0, durationMs: 1000 }, notRun: [], runErrors: [] }
}

t.test('size: 10,000 tests and a 100,000-sample benchmark', async (t) => {
  const dir = t.testdir({
    // The real bench() of mltest/onnx, 100,000 timed runs: its record keeps every sample, its figure a downsample.
    'samples.mltest.ts': `import { test } from 'mltest'
import { bench } from 'mltest/onnx'
test('100,000 timed runs', async () => {
  let x = 0
  await bench('sqrt', () => { x += Math.sqrt(x + 2) }, { warmup: 100, minIterations: 100_000, maxIterations: 100_000, minTimeMs: 0, maxTimeMs: 120_000 })
})
`,
  })
  const run = cli(['run', '--reporter', `json:${dir}/run.json`, '--reporter', `html:${dir}/samples.html`], dir)
  t.equal(run.status, 0, run.stderr)
  const jsonBytes = statSync(join(dir, 'run.json')).size
  const samplesBytes = statSync(join(dir, 'samples.html')).size
  t.ok(samplesBytes < 1_000_000, `100,000 samples: ${(samplesBytes / 1e6).toFixed(2)} MB of HTML (the JSON with every sample: ${(jsonBytes / 1e6).toFixed(2)} MB)`)
  const samplesHtml = readFileSync(join(dir, 'samples.html'), 'utf8')
  const samples = (JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunResult).files[0]!.tests[0]!.checks.find((c) => c.check === 'bench')!
  t.equal(samples.benchmarks?.[0]?.samplesMs.length, 100_000, 'the JSON keeps all 100,000 samples')
  t.ok(samples.figures?.length, 'bench attached its figures')
  t.match(samplesHtml, /[\d,]+ of 100,000 [^<]*shown, evenly spaced/, 'the figure says it is downsampled')
  t.match(samplesHtml, /<figure class="figure"><figcaption>sqrt latency[^<]*<\/figcaption><svg /, 'and is drawn')

  writeFileSync(join(dir, 'big.json'), JSON.stringify({ schemaVersion: 1, ...bigRun(10_000) }))
  const big = cli(['report', join(dir, 'big.json'), '--reporter', `html:${dir}/big.html`], dir)
  t.equal(big.status, 0, big.stderr)
  const bigBytes = statSync(join(dir, 'big.html')).size
  t.ok(bigBytes < 3_000_000, `10,000 tests: ${(bigBytes / 1e6).toFixed(2)} MB of HTML`)
  t.equal((readFileSync(join(dir, 'big.html'), 'utf8').match(/<li class="test passed"/g) ?? []).length, 10_000, 'every test is listed')
})

t.test('a figure over the cap in a hand-edited JSON shows the cap error, not 5 MB of SVG', async (t) => {
  const dir = t.testdir()
  const result = bigRun(100)
  const rows = Array.from({ length: 50_000 }, (_, i) => ({ i, v: i % 97 }))
  result.files[0]!.tests[0]!.checks.push({ check: 'bench', practice: 'computational-performance', verdict: 'pass', metrics: {}, figures: [{ title: 'Too big', spec: { data: { values: rows }, mark: 'point', encoding: { x: { field: 'i', type: 'quantitative' } } } }, { title: 'Remote', spec: { data: { url: 'https://example.com/x.csv' }, mark: 'point' } }] })
  writeFileSync(join(dir, 'edited.json'), JSON.stringify({ schemaVersion: 1, ...result }))
  const r = cli(['report', join(dir, 'edited.json'), '--reporter', `html:${dir}/edited.html`], dir)
  t.equal(r.status, 0, r.stderr)
  const html = readFileSync(join(dir, 'edited.html'), 'utf8')
  t.match(html, /figure not drawn: RangeError: figure &quot;Too big&quot; is \d+ KB, over the 256 KB cap/)
  t.match(html, /figure not drawn: TypeError: figure &quot;Remote&quot;: data must be inline/)
  t.ok(html.length < 200_000, `${html.length} characters`)
})

t.test('the XSS probe works: raw markup does set window.__pwned, and the page CSP alone blocks it', { skip: noBrowser }, async (t) => {
  const dir = t.testdir({ 'raw.html': `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"></head><body><p>${HOSTILE}</p>${SCRIPT_END}</body></html>` })
  const bypassed = await open(join(dir, 'raw.html'), { bypassCSP: true })
  await bypassed.page.waitForFunction(() => (window as unknown as { __pwned?: number }).__pwned !== undefined, undefined, { timeout: 5000 })
  t.ok([1, 2].includes(await bypassed.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned!)), 'unescaped, the hostile name runs script')
  await bypassed.close()
  const guarded = await open(join(dir, 'raw.html'))
  t.equal(await guarded.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined, "with the report's CSP it does not, even unescaped")
  await guarded.close()
})

t.test('sanitizeSvg: links, remote paints and styles dropped; scripts, foreign content and handlers refused', async (t) => {
  const { sanitizeSvg } = await import('../../reporters/html/render-figure.ts')
  t.equal(sanitizeSvg('<svg><a xlink:href="javascript:alert(1)"><path d="M0,0" fill="url(http://x/y)" stroke="url(#g1)"/></a></svg>'), '<svg><a><path d="M0,0" stroke="url(#g1)"/></a></svg>')
  t.equal(sanitizeSvg('<text aria-label="a onerror=&quot;x&quot;" style="cursor:pointer">b onerror="c"</text>'), '<text aria-label="a onerror=&quot;x&quot;">b onerror="c"</text>', 'text that merely mentions a handler is kept')
  t.throws(() => sanitizeSvg('<svg><script>alert(1)</script></svg>'), /<script> element/)
  t.throws(() => sanitizeSvg('<svg><foreignObject><div/></foreignObject></svg>'), /<foreignObject> element/)
  t.throws(() => sanitizeSvg('<svg><image xlink:href="http://x/y.png"/></svg>'), /<image> element/)
  t.throws(() => sanitizeSvg('<svg><g onload="alert(1)"></g></svg>'), /event attribute onload/)
})

t.test('drawFigure: vega warnings go to the figure, nothing to the console; bad specs become errors', async (t) => {
  const { drawFigure } = await import('../../reporters/html/render-figure.ts')
  const written: string[] = []
  const original = { stderr: process.stderr.write, stdout: process.stdout.write, warn: console.warn, error: console.error, log: console.log }
  const capture = (chunk: unknown) => {
    written.push(String(chunk))
    return true
  }
  process.stderr.write = capture as typeof process.stderr.write
  process.stdout.write = capture as typeof process.stdout.write
  console.warn = console.error = console.log = (...args: unknown[]) => void written.push(args.join(' '))
  let warned, broken, unknown
  try {
    // An unknown field type: vega-lite warns and draws anyway.
    warned = await drawFigure({ title: 'w', spec: { data: { values: [{ a: 1, b: 2 }] }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative', aggregate: 'no-such-aggregate' } } } })
    broken = await drawFigure({ title: 'b', spec: { data: { values: [{ a: 1 }] }, mark: 'no-such-mark' } })
    unknown = await drawFigure(null as never)
  } finally {
    Object.assign(process.stderr, { write: original.stderr })
    Object.assign(process.stdout, { write: original.stdout })
    Object.assign(console, { warn: original.warn, error: original.error, log: original.log })
  }
  t.same(written, [], 'nothing printed')
  t.match(warned, { ok: true, svg: /^<svg/, warnings: [/aggregate/i] }, 'the warning is kept with the figure')
  t.match(broken, { ok: false, error: /Error/ })
  t.match(unknown, { ok: false, error: /no Vega-Lite spec/ })
})

t.test('vega and vega-lite load only when the html reporter is chosen', async (t) => {
  const dir = t.testdir({
    'figure.mltest.ts': `import { test } from 'mltest'
import { figure, recordCheck } from 'mltest/plugin'
test('one figure', () => {
  recordCheck({ check: 'c', practice: 'model-unit-test', verdict: 'pass', metrics: {}, figures: [figure('f', { data: { values: [{ a: 1 }] }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } })] })
})
`,
  })
  // A module loader hook that writes down every vega module the process (any thread) loads.
  writeFileSync(join(dir, 'hooks.mjs'), `import { appendFileSync } from 'node:fs'
export async function load(url, context, next) {
  if (/\\/node_modules\\/vega(-lite)?\\//.test(url)) appendFileSync(${JSON.stringify(join(dir, 'loaded.txt'))}, url + '\\n')
  return next(url, context)
}
`)
  writeFileSync(join(dir, 'trace.mjs'), `import { register } from 'node:module'\nregister('./hooks.mjs', import.meta.url)\n`)
  const loaded = () => (existsSync(join(dir, 'loaded.txt')) ? readFileSync(join(dir, 'loaded.txt'), 'utf8').trim().split('\n') : [])
  const traced = (reporters: string[]) => spawnSync(process.execPath, ['--import', join(dir, 'trace.mjs'), bin, 'run', ...reporters.flatMap((r) => ['--reporter', r])], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })

  const plain = traced([`json:${dir}/run.json`, 'console'])
  t.equal(plain.status, 0, plain.stderr)
  t.same(loaded(), [], 'a plain run (console and json reporters) loads no vega module')
  const html = traced([`json:${dir}/run.json`, `html:${dir}/run.html`])
  t.equal(html.status, 0, html.stderr)
  t.ok(loaded().some((url) => url.includes('/node_modules/vega-lite/')) && loaded().some((url) => /\/node_modules\/vega\//.test(url)), `with --reporter html both load (${loaded().length} modules): the probe sees them`)
})
