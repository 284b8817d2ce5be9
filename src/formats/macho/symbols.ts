/**
 * The nlist symbol table: decoding entries and classifying them (stab, undefined, common,
 * absolute, section, indirect; external, private external, weak).
 *
 * Names are byte strings taken from the string table at n_strx; an index past the table yields
 * `undefined` for `name` (nm prints "bad string index") instead of failing the whole table.
 */
import { byteString } from "./ByteReader.ts";
import { N_ABS, N_EXT, N_INDR, N_PEXT, N_SECT, N_STAB, N_TYPE, N_UNDF, N_WEAK_DEF, N_WEAK_REF, getLibraryOrdinal } from "./constants.ts";
import type { MachOImage, Section } from "./types.ts";

/** One nlist / nlist_64 entry. */
export interface NList {
  /** Index in the symbol table. */
  readonly index: number;
  /** The name (byte string), or undefined when n_strx is past the string table. */
  readonly name: string | undefined;
  readonly strx: number;
  readonly type: number;
  readonly sect: number;
  readonly desc: number;
  readonly value: bigint;
}

/** Reads every entry of the image's LC_SYMTAB (bounds were checked when the command was parsed). */
export function readSymbols(image: MachOImage): NList[] {
  const st = image.symtab;
  if (st === undefined || st.nsyms === 0) return [];
  const { bytes, header } = image;
  const view = image.reader.view;
  const little = header.littleEndian;
  const is64 = header.is64;
  const entry = is64 ? 16 : 12;
  const strStart = st.stroff;
  const strEnd = Math.min(bytes.length, st.stroff + st.strsize);
  const out: NList[] = new Array(st.nsyms);
  // Decode the string table once; names are then cheap slices of it (V8 shares the characters).
  const table = byteString(bytes, strStart, strEnd);
  for (let i = 0; i < st.nsyms; i++) {
    const p = st.symoff + i * entry;
    const strx = view.getUint32(p, little);
    const type = bytes[p + 4] as number;
    const sect = bytes[p + 5] as number;
    const desc = view.getUint16(p + 6, little);
    const value = is64 ? view.getBigUint64(p + 8, little) : BigInt(view.getUint32(p + 8, little));
    let name: string | undefined;
    if (strx < st.strsize) {
      const nul = table.indexOf("\0", strx);
      if (nul >= 0) name = table.slice(strx, nul);
      else {
        // An unterminated last name runs on to the end of the file, as LLVM reads it.
        let end = strStart + strx;
        while (end < bytes.length && bytes[end] !== 0) end++;
        name = byteString(bytes, strStart + strx, end);
      }
    }
    out[i] = { index: i, name, strx, type, sect, desc, value };
  }
  return out;
}

/** True for a debugging (stab) entry. */
export function isStab(s: NList): boolean {
  return (s.type & N_STAB) !== 0;
}

/** External N_UNDF with value 0: an undefined reference. */
export function isUndefined(s: NList): boolean {
  return (s.type & N_STAB) === 0 && (s.type & N_EXT) !== 0 && (s.type & N_TYPE) === N_UNDF && s.value === 0n;
}

/** External N_UNDF with a non-zero value: a common symbol of that size. */
export function isCommon(s: NList): boolean {
  return (s.type & N_STAB) === 0 && (s.type & N_EXT) !== 0 && (s.type & N_TYPE) === N_UNDF && s.value !== 0n;
}

/** Visible outside its image (N_EXT set, not a stab). */
export function isExternal(s: NList): boolean {
  return (s.type & N_STAB) === 0 && (s.type & N_EXT) !== 0;
}

/** Private external (N_PEXT): exported from the object file but hidden in the linked image. */
export function isPrivateExternal(s: NList): boolean {
  return (s.type & N_STAB) === 0 && (s.type & N_PEXT) !== 0;
}

/** Defined in a section, absolute or indirect (not undefined, not common, not a stab). */
export function isDefined(s: NList): boolean {
  if ((s.type & N_STAB) !== 0) return false;
  const t = s.type & N_TYPE;
  return t === N_SECT || t === N_ABS || t === N_INDR;
}

/** Weak definition or weak reference. */
export function isWeak(s: NList): boolean {
  return (s.desc & (N_WEAK_REF | N_WEAK_DEF)) !== 0;
}

/** The section an N_SECT symbol lives in, or undefined (NO_SECT or out of range). */
export function symbolSection(image: MachOImage, s: NList): Section | undefined {
  if ((s.type & N_TYPE) !== N_SECT || s.sect === 0) return undefined;
  return image.sections[s.sect - 1];
}

/** The library ordinal of an undefined symbol in a two-level namespace image. */
export function symbolLibraryOrdinal(s: NList): number {
  return getLibraryOrdinal(s.desc);
}

/** The name an N_INDR symbol is an alias for (its n_value indexes the string table). */
export function indirectName(image: MachOImage, s: NList): string | undefined {
  const st = image.symtab;
  if (st === undefined || (s.type & N_TYPE) !== N_INDR) return undefined;
  const strx = Number(s.value);
  if (strx >= st.strsize) return undefined;
  return image.reader.cString(st.stroff + strx);
}
