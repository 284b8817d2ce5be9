/**
 * Building and printing nm's symbol list for one Mach-O image, the way llvm-nm does: the nm type
 * letter, filters (-g -u -U -a -W), the sort orders, and the bsd, posix (-P), darwin (-m),
 * just-symbols (-j) and hex (-x) formats.
 */
import {
  DYNAMIC_LOOKUP_ORDINAL, EXECUTABLE_ORDINAL, MH_FILETYPE, MH_FLAGS, N_ABS, N_ALT_ENTRY, N_ARM_THUMB_DEF, N_COLD_FUNC,
  N_EXT, N_INDR, N_NO_DEAD_STRIP, N_PBUD, N_PEXT, N_SECT, N_STAB, N_SYMBOL_RESOLVER, N_TYPE, N_UNDF, N_WEAK_DEF,
  N_WEAK_REF, REFERENCE_FLAG_PRIVATE_UNDEFINED_LAZY, REFERENCE_FLAG_PRIVATE_UNDEFINED_NON_LAZY,
  REFERENCE_FLAG_UNDEFINED_LAZY, REFERENCE_TYPE, REFERENCED_DYNAMICALLY, STAB_NAMES, getLibraryOrdinal,
  indirectName, libraryShortName, readSymbols, type MachOImage, type NList,
} from "../../formats/macho/index.ts";
import { nmImageFast } from "./nmImageFast.ts";
import { stdSortFast } from "./stdSort.ts";

export type { NmFormat, NmOptions } from "./NmOptions.ts";
import type { NmOptions } from "./NmOptions.ts";

interface NmSymbol {
  readonly s: NList;
  readonly name: string;
  readonly typeChar: string;
  readonly address: bigint;
  readonly undefinedFlag: boolean;
}

function sectionTypeChar(image: MachOImage, s: NList): string {
  const sec = s.sect === 0 ? undefined : image.sections[s.sect - 1];
  if (sec === undefined) return "s";
  const seg = sec.segname;
  const name = sec.sectname;
  if (image.header.is64 && image.header.filetype === MH_FILETYPE.MH_KEXT_BUNDLE && seg === "__TEXT_EXEC" && name === "__text") return "t";
  if (seg === "__TEXT" && name === "__text") return "t";
  if (seg === "__DATA" && name === "__data") return "d";
  if (seg === "__DATA" && name === "__bss") return "b";
  return "s";
}

/** nm's one-letter type for a symbol (U, C, T, t, D, S, A, I, -, ?…). */
export function nmTypeChar(image: MachOImage, s: NList): string {
  const t = s.type;
  const ext = (t & N_EXT) !== 0;
  if (ext && (t & N_TYPE) === N_UNDF) return s.value !== 0n ? "C" : "U";
  let c: string;
  if ((t & N_TYPE) === N_ABS) c = "a";
  else if ((t & N_STAB) !== 0) c = "-";
  else if ((t & N_TYPE) === N_INDR) c = "i";
  else if ((t & N_TYPE) === N_SECT) c = sectionTypeChar(image, s);
  else c = "?";
  return ext ? c.toUpperCase() : c;
}

function collect(image: MachOImage, opts: NmOptions): NmSymbol[] {
  const out: NmSymbol[] = [];
  for (const s of readSymbols(image)) {
    const stab = (s.type & N_STAB) !== 0;
    if (stab && !opts.debugSyms) continue;
    const ext = (s.type & N_EXT) !== 0;
    const undef = ext && (s.type & N_TYPE) === N_UNDF && s.value === 0n;
    const weak = (s.desc & (N_WEAK_REF | N_WEAK_DEF)) !== 0;
    if (opts.undefinedOnly && !undef) continue;
    if (opts.definedOnly && undef) continue;
    if (opts.externOnly && !ext) continue;
    if (opts.noWeak && weak) continue;
    out.push({ s, name: s.name ?? "bad string index", typeChar: nmTypeChar(image, s), address: undef ? 0n : s.value, undefinedFlag: undef });
  }
  return out;
}

function sortSymbols(list: NmSymbol[], opts: NmOptions): void {
  if (opts.noSort) return;
  // llvm-nm's orders: (name, size, address), or with -n (defined, address, name, size); sizes are
  // always 0 for Mach-O. Sorted with libstdc++'s std::sort so that ties land where llvm-nm's do.
  const less = opts.numericSort
    ? (a: NmSymbol, b: NmSymbol): boolean => {
      if (a.undefinedFlag !== b.undefinedFlag) return a.undefinedFlag;
      if (a.address !== b.address) return a.address < b.address;
      return a.name < b.name;
    }
    : (a: NmSymbol, b: NmSymbol): boolean => (a.name !== b.name ? a.name < b.name : a.address < b.address);
  stdSortFast(list, opts.reverseSort ? (a, b) => less(b, a) : less);
}

function hex(v: bigint | number, width: number): string {
  const s = v.toString(16);
  return s.length >= width ? s : "0".repeat(width - s.length) + s;
}

function darwinLine(image: MachOImage, sym: NmSymbol, addrStr: string, blanks: string): string {
  const { type, sect, desc, value } = sym.s;
  const h = image.header;
  let line = "";
  line += ((type & N_TYPE) === N_INDR ? blanks : addrStr) + " ";
  switch (type & N_TYPE) {
    case N_UNDF:
      if (value !== 0n) {
        line += "(common) ";
        const align = (desc >> 8) & 0x0f;
        if (align !== 0) line += `(alignment 2^${align}) `;
      } else {
        const rt = desc & REFERENCE_TYPE;
        line += rt === REFERENCE_FLAG_UNDEFINED_LAZY ? "(undefined [lazy bound]) "
          : rt === REFERENCE_FLAG_PRIVATE_UNDEFINED_LAZY ? "(undefined [private lazy bound]) "
            : rt === REFERENCE_FLAG_PRIVATE_UNDEFINED_NON_LAZY ? "(undefined [private]) " : "(undefined) ";
      }
      break;
    case N_ABS:
      line += "(absolute) ";
      break;
    case N_INDR:
      line += "(indirect) ";
      break;
    case N_SECT: {
      const sec = sect === 0 ? undefined : image.sections[sect - 1];
      line += sec === undefined ? "(?,?) " : `(${sec.segname},${sec.sectname}) `;
      break;
    }
    default:
      line += "(?) ";
  }
  if (type & N_EXT) {
    if (desc & REFERENCED_DYNAMICALLY) line += "[referenced dynamically] ";
    if (type & N_PEXT) {
      line += (desc & N_WEAK_DEF) === N_WEAK_DEF ? "weak private external " : "private external ";
    } else if ((desc & N_WEAK_REF) || (desc & N_WEAK_DEF)) {
      line += (desc & (N_WEAK_REF | N_WEAK_DEF)) === (N_WEAK_REF | N_WEAK_DEF) ? "weak external automatically hidden " : "weak external ";
    } else {
      line += "external ";
    }
  } else {
    line += type & N_PEXT ? "non-external (was a private external) " : "non-external ";
  }
  if (h.filetype === MH_FILETYPE.MH_OBJECT) {
    if (desc & N_NO_DEAD_STRIP) line += "[no dead strip] ";
    if ((type & N_TYPE) !== N_UNDF && desc & N_SYMBOL_RESOLVER) line += "[symbol resolver] ";
    if ((type & N_TYPE) !== N_UNDF && desc & N_ALT_ENTRY) line += "[alt entry] ";
    if ((type & N_TYPE) !== N_UNDF && desc & N_COLD_FUNC) line += "[cold func] ";
  }
  if ((desc & N_ARM_THUMB_DEF) === N_ARM_THUMB_DEF) line += "[Thumb] ";
  if ((type & N_TYPE) === N_INDR) line += `${sym.name} (for ${indirectName(image, sym.s) ?? "?"})`;
  else line += sym.name;
  if ((h.flags & MH_FLAGS.MH_TWOLEVEL) === MH_FLAGS.MH_TWOLEVEL && (((type & N_TYPE) === N_UNDF && value === 0n) || (type & N_TYPE) === N_PBUD)) {
    const ord = getLibraryOrdinal(desc);
    if (ord !== 0) {
      if (ord === EXECUTABLE_ORDINAL) line += " (from executable)";
      else if (ord === DYNAMIC_LOOKUP_ORDINAL) line += " (dynamically looked up)";
      else {
        const lib = image.dylibs[ord - 1];
        line += lib === undefined ? ` (from bad library ordinal ${ord})` : ` (from ${libraryShortName(lib.name)})`;
      }
    }
  }
  return line;
}

/**
 * The symbol lines for one image (each ending in "\n"), and whether the image has a symbol table
 * at all (nm reports "no symbols" only when it has none).
 */
export function nmImage(
  image: MachOImage, opts: NmOptions, fileLabel: string, out: { write(s: string): void },
  decode?: (bytes: Uint8Array, start: number, end: number) => string,
): { hasSymbols: boolean; count: number } {
  const fast = decode === undefined ? undefined : nmImageFast(image, opts, decode);
  if (fast !== undefined) {
    out.write(fast.text);
    return { hasSymbols: true, count: fast.count };
  }
  const list = collect(image, opts);
  sortSymbols(list, opts);
  const is64 = image.header.is64;
  const width = is64 ? 16 : 8;
  const blanks = " ".repeat(width);
  const posix = opts.format === "posix";
  for (const sym of list) {
    let name = sym.name;
    if (opts.demangle !== undefined) name = opts.demangle(name) ?? name;
    const prefix = opts.printFileName ? fileLabel : "";
    if ((opts.format === "just-symbols" || (opts.undefinedOnly && opts.format !== "darwin")) && !posix) {
      out.write(`${prefix}${name}\n`);
      continue;
    }
    const defined = sym.typeChar !== "U";
    let addrStr: string;
    if (!defined) addrStr = posix ? hex(sym.address, 0) : blanks;
    else if (sym.typeChar === "I") addrStr = blanks;
    else addrStr = posix ? hex(sym.address, 0) : hex(sym.address, width);
    if (opts.hex) {
      const s = sym.s;
      // -x and -m print the symbol's own (mangled) name, as llvm-nm does even with -C.
      let line = `${hex(s.value, width)} ${hex(s.type, 2)} ${hex(s.sect, 2)} ${hex(s.desc, 4)} ${hex(s.strx, 8)} ${sym.name}`;
      if ((s.type & N_TYPE) === N_INDR) line += ` (indirect for ${hex(s.value, width)} ${indirectName(image, s) ?? "?"})`;
      out.write(`${prefix}${line}\n`);
    } else if (opts.format === "darwin") {
      out.write(`${prefix}${darwinLine(image, sym, addrStr, blanks)}\n`);
    } else if (posix) {
      out.write(`${prefix}${name} ${sym.typeChar} ${addrStr} 0\n`);
    } else {
      let line = `${addrStr} ${sym.typeChar}`;
      if (sym.typeChar === "-") {
        const st = STAB_NAMES.get(sym.s.type);
        line += ` ${hex(sym.s.sect, 2)} ${hex(sym.s.desc, 4)} ${st !== undefined ? st.padStart(5, " ").slice(0, 5) : `   ${hex(sym.s.type, 2)}`}`;
      }
      line += ` ${name}`;
      if (sym.typeChar === "I") line += ` (indirect for ${indirectName(image, sym.s) ?? "?"})`;
      out.write(`${prefix}${line}\n`);
    }
  }
  return { hasSymbols: (image.symtab?.nsyms ?? 0) > 0, count: list.length };
}
