/**
 * Formats the hexadecimal image of an IEEE float (8 hex digits), double (16) or x87 80-bit long
 * double (20) the way C's `printf("%a")`/`("%La")` does on glibc, which is how llvm-cxxfilt
 * prints floating-point literals (`0x1.8p+1`, `0x8p-3`). A float is widened to double first, as
 * printf's varargs do. (llvm-cxxfilt reads long doubles in the host's format; we model the
 * x86-64 hosts the oracle runs on.)
 */
export function formatHexFloat(hex: string): string {
  if (hex.length === 20) return formatHexX87(hex);
  const view = new DataView(new ArrayBuffer(8));
  let value: number;
  if (hex.length === 8) {
    view.setUint32(0, parseInt(hex, 16));
    value = view.getFloat32(0);
    view.setFloat64(0, value);
  } else {
    view.setUint32(0, parseInt(hex.slice(0, 8), 16));
    view.setUint32(4, parseInt(hex.slice(8), 16));
    value = view.getFloat64(0);
  }
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const sign = hi >>> 31 ? "-" : "";
  if (Number.isNaN(value)) return `${sign}nan`;
  if (!Number.isFinite(value)) return `${sign}inf`;
  const exp = (hi >>> 20) & 0x7ff;
  let mant = (hi & 0xfffff).toString(16).padStart(5, "0") + lo.toString(16).padStart(8, "0");
  mant = mant.replace(/0+$/, "");
  const frac = mant.length > 0 ? `.${mant}` : "";
  if (exp === 0) {
    if (frac === "") return `${sign}0x0p+0`;
    return `${sign}0x0${frac}p-1022`;
  }
  const e = exp - 1023;
  return `${sign}0x1${frac}p${e >= 0 ? "+" : ""}${e}`;
}

/** glibc's `%La` for an x87 extended value: explicit integer bit, leading digit from the top nibble. */
function formatHexX87(hex: string): string {
  const se = parseInt(hex.slice(0, 4), 16);
  const mant = hex.slice(4);
  const sign = se & 0x8000 ? "-" : "";
  const exp = se & 0x7fff;
  if (exp === 0x7fff) return /^[08]0*$/.test(mant) ? `${sign}inf` : `${sign}nan`;
  if (exp === 0 && /^0+$/.test(mant)) return `${sign}0x0p+0`;
  const rest = mant.slice(1).replace(/0+$/, "");
  const e = (exp === 0 ? 1 : exp) - 16383 - 3;
  return `${sign}0x${mant[0]}${rest.length > 0 ? `.${rest}` : ""}p${e >= 0 ? "+" : ""}${e}`;
}
