/**
 * The one number formatter for reports. A report should show a figure at the precision that
 * matters (4 significant digits by default) without implying more: 0.1 + 0.2 prints `0.3`, not
 * `0.30000000000000004`. Counts stay exact, and the special values print as what they are.
 */

/**
 * `x` rounded to `digits` significant digits (default 4, at most 17), in the shortest form
 * that shows them:
 * - NaN, `Infinity`, `-Infinity`; `-0` keeps its sign (1 / -0 is -Infinity, so it matters);
 * - safe integers (|x| < 2^53) exactly, whatever `digits`: counts, ULP distances, sizes;
 * - 1e-4 <= |x| < 1e6 in fixed notation without trailing zeros: `0.3`, `88.72`, `0.0004173`;
 * - anything smaller or larger in exponent notation: `1.157e-6`, `4.517e+18`, `1e-5`.
 * `digits` 17 prints the double exactly (the shortest text that reads back as the same double),
 * which is how settings such as tolerances should print.
 */
export function formatNumber(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x)
  if (Object.is(x, -0)) return '-0'
  if (Number.isSafeInteger(x)) return String(x)
  const precision = Math.min(17, Math.max(1, Math.round(digits)))
  const text = x.toPrecision(precision)
  const rounded = Number(text)
  // Rounding up past the largest double reads back as Infinity; the text itself is right.
  if (!Number.isFinite(rounded)) return text.replace(/\.?0+e/, 'e')
  const abs = Math.abs(rounded)
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e6)) return rounded.toExponential()
  return String(rounded)
}
