/**
 * nm's common case without per-symbol objects: the default name order, in the bsd, posix (-P) or
 * just-symbols (-j) format, optionally filtered by -g -u -U -W. This is what `nm FILE` and
 * `nm -P FILE` on a large binary spend their time in, so it works on the raw symbol table:
 * parallel typed arrays instead of NList/bigint objects, one native latin1 decode of the string
 * table, a native sort of symbol indices, and lines built from native string operations (the code
 * runs once, cold: byte-by-byte loops stay interpreted and cost more than they save).
 *
 * Exactness: llvm-nm sorts with libstdc++'s std::sort, which is not stable. When no two symbols
 * have the same (name, address) key every correct sort gives the same order, so a native sort is
 * exact; when some do, or for anything this path does not cover (stabs with -a, -x, -m, -C, -A,
 * -n, -p, -r, N_INDR symbols, unterminated names), it declines and nmImage's general path runs.
 */
import { MH_FILETYPE, N_EXT, N_INDR, N_STAB, N_TYPE, N_UNDF, N_WEAK_DEF, N_WEAK_REF, N_SECT, N_ABS, type MachOImage } from "../../formats/macho/index.ts";
import type { NmOptions } from "./NmOptions.ts";


/** nm's letter for each n_sect of `image` (index 0 unused), as nmTypeChar's section rule gives it. */
function sectionLetters(image: MachOImage): Uint8Array {
  const out = new Uint8Array(256).fill(0x73); // "s"
  const kextText = image.header.is64 && image.header.filetype === MH_FILETYPE.MH_KEXT_BUNDLE;
  image.sections.forEach((sec, i) => {
    if (i >= 255) return;
    const { segname: seg, sectname: name } = sec;
    let c = "s";
    if ((kextText && seg === "__TEXT_EXEC" && name === "__text") || (seg === "__TEXT" && name === "__text")) c = "t";
    else if (seg === "__DATA" && name === "__data") c = "d";
    else if (seg === "__DATA" && name === "__bss") c = "b";
    out[i + 1] = c.charCodeAt(0);
  });
  return out;
}

/**
 * Writes the symbol lines of `image` as bytes, or returns undefined when this path does not apply
 * (the caller then runs the general one). `decode` turns string-table bytes into a byte string.
 */
export function nmImageFast(
  image: MachOImage, opts: NmOptions, decode: (bytes: Uint8Array, start: number, end: number) => string,
): { text: string; count: number } | undefined {
  if (opts.hex || opts.format === "darwin" || opts.debugSyms || opts.demangle !== undefined || opts.printFileName
    || opts.noSort || opts.numericSort || opts.reverseSort) return undefined;
  const st = image.symtab;
  if (st === undefined || st.nsyms === 0) return undefined;
  const { bytes, header } = image;
  const little = header.littleEndian;
  const is64 = header.is64;
  const view = image.reader.view;
  const entry = is64 ? 16 : 12;
  const strStart = st.stroff;
  const strEnd = Math.min(bytes.length, st.stroff + st.strsize);
  const letters = sectionLetters(image);
  const n = st.nsyms;
  const nameStart = new Int32Array(n);
  const nameEnd = new Int32Array(n);
  const typeChar = new Uint8Array(n);
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = st.symoff + i * entry;
    const type = bytes[p + 4] as number;
    if ((type & N_STAB) !== 0) continue;
    if ((type & N_TYPE) === N_INDR) return undefined;
    const desc = view.getUint16(p + 6, little);
    const vHi = is64 ? view.getUint32(p + (little ? 12 : 8), little) : 0;
    const vLo = view.getUint32(p + (is64 && !little ? 12 : 8), little);
    const ext = (type & N_EXT) !== 0;
    const zero = vHi === 0 && vLo === 0;
    const undef = ext && (type & N_TYPE) === N_UNDF && zero;
    if (opts.undefinedOnly && !undef) continue;
    if (opts.definedOnly && undef) continue;
    if (opts.externOnly && !ext) continue;
    if (opts.noWeak && (desc & (N_WEAK_REF | N_WEAK_DEF)) !== 0) continue;
    let c: number;
    if (ext && (type & N_TYPE) === N_UNDF) c = zero ? 0x55 : 0x43; // U, C
    else {
      const t = type & N_TYPE;
      c = t === N_ABS ? 0x61 : t === N_SECT ? (letters[bytes[p + 5] as number] as number) : 0x3f; // a, section, ?
      if (ext && c >= 0x61) c -= 0x20;
    }
    const strx = view.getUint32(p, little);
    if (strx < st.strsize) {
      const s = strStart + strx;
      const nul = bytes.indexOf(0, s);
      if (nul < 0 || nul >= strEnd) return undefined; // unterminated: the general path reads past it
      nameStart[i] = s;
      nameEnd[i] = nul;
    } else {
      nameStart[i] = -1;
    }
    typeChar[i] = c;
    if (!undef) { hi[i] = vHi; lo[i] = vLo; }
    keep.push(i);
  }
  const table = decode(bytes, strStart, strEnd);
  const names: string[] = new Array(n);
  for (const i of keep) names[i] = nameStart[i]! < 0 ? "bad string index" : table.slice(nameStart[i]! - strStart, nameEnd[i]! - strStart);
  let tie = false;
  keep.sort((a, b) => {
    const x = names[a]!, y = names[b]!;
    if (x < y) return -1;
    if (x > y) return 1;
    if (hi[a] !== hi[b]) return hi[a]! < hi[b]! ? -1 : 1;
    if (lo[a] !== lo[b]) return lo[a]! < lo[b]! ? -1 : 1;
    tie = true;
    return 0;
  });
  if (tie) return undefined;
  return { text: render(keep, opts, is64, names, typeChar, hi, lo), count: keep.length };
}

function render(
  order: readonly number[], opts: NmOptions, is64: boolean, names: readonly string[],
  typeChar: Uint8Array, hi: Uint32Array, lo: Uint32Array,
): string {
  const width = is64 ? 16 : 8;
  const posix = opts.format === "posix";
  const namesOnly = !posix && (opts.format === "just-symbols" || opts.undefinedOnly);
  const blanks = " ".repeat(width);
  const zeros = "0".repeat(width);
  const lines: string[] = new Array(order.length);
  let k = 0;
  for (const i of order) {
    const name = names[i]!;
    if (namesOnly) { lines[k++] = `${name}\n`; continue; }
    const c = String.fromCharCode(typeChar[i]!);
    const h = hi[i]!;
    const l = lo[i]!;
    // Native number-to-hex; the 64-bit value is two 32-bit halves.
    let hex = h === 0 ? l.toString(16) : h.toString(16) + (zeros + l.toString(16)).slice(-8);
    if (posix) { lines[k++] = `${name} ${c} ${hex} 0\n`; continue; }
    if (c === "U") hex = blanks;
    else if (hex.length < width) hex = (zeros + hex).slice(-width);
    lines[k++] = `${hex} ${c} ${name}\n`;
  }
  return lines.join("");
}
