/**
 * The report's one style sheet, inline. System fonts only (no font files), print-friendly,
 * light and dark. The filters are radio buttons and `:has()` rules: no script.
 */
export const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#59636e;--bg:#fff;--panel:#f6f8fa;--line:#d1d9e0;--pass:#1a7f37;--fail:#cf222e;--warn:#9a6700;--skip:#8250df}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--panel:#161b22;--line:#3d444d;--pass:#3fb950;--fail:#f85149;--warn:#d29922;--skip:#a371f7}figure svg{background:#fff;border-radius:4px}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1200px;padding:0 1rem 2rem;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{border-bottom:4px solid var(--pass);padding:.8rem 0 .4rem}header.failed{border-color:var(--fail)}
h1{margin:0;font-size:1.4rem}h2{font-size:1.1rem;margin:1.2rem 0 .4rem}h4{margin:.2rem 0;font-size:.95rem}
.line{margin:.2rem 0;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.tiles{display:flex;flex-wrap:wrap;gap:.5rem;margin:.8rem 0}.tile{padding:.4rem .8rem;border-radius:6px;background:var(--panel);border-left:4px solid var(--line)}.tile b{font-size:1.2rem}
.tile.passed{border-color:var(--pass)}.tile.failed,.tile.file-errors{border-color:var(--fail)}.tile.inconclusive{border-color:var(--warn)}.tile.skipped,.tile.todo{border-color:var(--skip)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
pre{background:var(--panel);padding:.5rem .7rem;border-radius:6px;overflow:auto;white-space:pre-wrap;overflow-wrap:anywhere;margin:.3rem 0}
.filters{position:sticky;top:0;background:var(--bg);padding:.5rem 0;border-bottom:1px solid var(--line);z-index:1}.filters label{margin-right:1rem}
body:has(#show-problems:checked) .test:not(.failed):not(.inconclusive){display:none}
body:has(#show-problems:checked) .file.good:not(.has-inconclusive){display:none}
body:has(#show-checks:checked) .test:not(.has-checks),body:has(#show-checks:checked) .file:not(.has-checks){display:none}
.file{border:1px solid var(--line);border-radius:6px;margin:.6rem 0;padding:.2rem .6rem}.file>summary{cursor:pointer;padding:.3rem 0;font-weight:600}
.file.bad>summary .mark{color:var(--fail)}.file.good>summary .mark{color:var(--pass)}
.meta{color:var(--muted);font-weight:400;font-size:.9em;margin-left:.4rem}
.tests{list-style:none;padding:0;margin:0}.test{border-top:1px solid var(--line);padding:.25rem 0}
.test .mark{display:inline-block;width:1.1em;text-align:center;font-weight:700}
.test.passed .mark{color:var(--pass)}.test.failed .mark{color:var(--fail)}.test.inconclusive .mark{color:var(--warn)}.test.skipped .mark,.test.todo .mark{color:var(--skip)}
.test.skipped .name,.test.todo .name{color:var(--muted)}.test.flaky .meta{color:var(--warn)}
.tag{display:inline-block;font-size:.75em;padding:0 .4em;border:1px solid var(--line);border-radius:1em;margin-right:.3em;color:var(--muted)}
.body{margin:.2rem 0 .4rem 1.4rem}
.error .message{border-left:3px solid var(--fail)}.diff{border-left:3px solid var(--warn)}.location{margin:.2rem 0;color:var(--muted)}
.reason{color:var(--warn);margin:.2rem 0}.replay{color:var(--muted);margin:.2rem 0}
.check{border:1px solid var(--line);border-radius:6px;padding:.4rem .6rem;margin:.4rem 0}
.verdict{display:inline-block;padding:0 .5em;border-radius:4px;color:#fff;font-size:.85em;text-transform:uppercase}
.verdict.pass{background:var(--pass)}.verdict.fail{background:var(--fail)}.verdict.inconclusive{background:var(--warn)}
.practice{color:var(--muted);font-weight:400;font-size:.85em}.summary{margin:.2rem 0}
table{border-collapse:collapse;margin:.3rem 0;font-size:.9em}th,td{border:1px solid var(--line);padding:.1rem .5rem;text-align:left;font-weight:400}th{color:var(--muted)}
.figures{display:flex;flex-wrap:wrap;gap:.8rem}.figure{margin:.3rem 0;max-width:100%;overflow-x:auto}.figure figcaption{font-weight:600;margin-bottom:.2rem}
.figure svg{max-width:100%;height:auto}.note{color:var(--muted);font-size:.85em;margin:.1rem 0}.warning{color:var(--warn);font-size:.85em}
.readiness tr.automated td:nth-child(3){color:var(--pass)}.readiness tr.failing td:nth-child(3){color:var(--fail)}.readiness tr.missing td:nth-child(3){color:var(--muted)}
.failures{margin:.2rem 0}.failures a{color:var(--fail)}
footer{margin-top:2rem;color:var(--muted);font-size:.85em}
@media print{.filters{display:none}details{display:block}}
`.trim()
