/**
 * Reals as Core Foundation prints them in XML plists: `nan`, `+infinity`, `-infinity`, `0.0` for
 * either zero, otherwise C's `%.17g` (17 significant digits, trailing zeros dropped, exponent
 * form below 1e-4 or from 1e17). `%.17g` round-trips every double, which is why CF chose it; it
 * is also why CF writes 0.1 as `0.10000000000000001` where plistlib writes `0.1`.
 */

/** C's `%.17g` of a finite, non-zero double. */
export function formatG17(d: number): string {
  return formatG(d, 17);
}

/** C's `%.<precision>g` of a double (`nan`, `inf`, `-inf` for the special values). */
export function formatG(d: number, precision: number): string {
  if (Number.isNaN(d)) return "nan";
  if (!Number.isFinite(d)) return d > 0 ? "inf" : "-inf";
  if (d === 0) return Object.is(d, -0) ? "-0" : "0";
  const e = d.toExponential(precision - 1); // correctly rounded to `precision` significant digits
  const at = e.indexOf("e");
  const exp = Number(e.slice(at + 1));
  if (exp < -4 || exp >= precision) {
    const mant = stripZeros(e.slice(0, at));
    const abs = Math.abs(exp);
    return `${mant}e${exp < 0 ? "-" : "+"}${abs < 10 ? "0" : ""}${abs}`;
  }
  return stripZeros(d.toFixed(precision - 1 - exp));
}

function stripZeros(s: string): string {
  if (!s.includes(".")) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

/** The text CF writes inside `<real>`. */
export function formatCFReal(d: number): string {
  if (Number.isNaN(d)) return "nan";
  if (d === Infinity) return "+infinity";
  if (d === -Infinity) return "-infinity";
  if (d === 0) return "0.0";
  return formatG17(d);
}
