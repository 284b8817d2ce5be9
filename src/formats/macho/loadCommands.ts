/**
 * Decodes one load command into its typed shape, validating it the way LLVM's MachOObjectFile does
 * (sizes, string offsets, tables that must lie inside the file), with LLVM's wording so that users
 * who know `llvm-objdump` recognise the message. Unknown commands are kept raw.
 */
import type { ByteReader } from "./ByteReader.ts";
import { LC, loadCommandName } from "./constants.ts";
import { MachOFormatError } from "./MachOFormatError.ts";
import type { LoadCommand, MachHeader, Section } from "./types.ts";

/** Raises LLVM's "truncated or malformed object (...)" error at `offset`. */
export function malformed(message: string, offset: number): never {
  throw new MachOFormatError(`truncated or malformed object (${message})`, offset);
}

const DYLIB_CMDS = new Set<number>([LC.LC_LOAD_DYLIB, LC.LC_ID_DYLIB, LC.LC_LOAD_WEAK_DYLIB, LC.LC_REEXPORT_DYLIB, LC.LC_LAZY_LOAD_DYLIB, LC.LC_LOAD_UPWARD_DYLIB]);
const STRING_CMDS = new Map<number, { min: number; field: string; struct: string }>([
  [LC.LC_LOAD_DYLINKER, { min: 12, field: "name", struct: "dylinker_command" }],
  [LC.LC_ID_DYLINKER, { min: 12, field: "name", struct: "dylinker_command" }],
  [LC.LC_DYLD_ENVIRONMENT, { min: 12, field: "name", struct: "dylinker_command" }],
  [LC.LC_RPATH, { min: 12, field: "path", struct: "rpath_command" }],
  [LC.LC_SUB_FRAMEWORK, { min: 12, field: "umbrella", struct: "sub_framework_command" }],
  [LC.LC_SUB_UMBRELLA, { min: 12, field: "sub_umbrella", struct: "sub_umbrella_command" }],
  [LC.LC_SUB_LIBRARY, { min: 12, field: "sub_library", struct: "sub_library_command" }],
  [LC.LC_SUB_CLIENT, { min: 12, field: "client", struct: "sub_client_command" }],
]);
const LINKEDIT_CMDS = new Set<number>([
  LC.LC_CODE_SIGNATURE, LC.LC_SEGMENT_SPLIT_INFO, LC.LC_FUNCTION_STARTS, LC.LC_DATA_IN_CODE,
  LC.LC_DYLIB_CODE_SIGN_DRS, LC.LC_LINKER_OPTIMIZATION_HINT, LC.LC_DYLD_EXPORTS_TRIE,
  LC.LC_DYLD_CHAINED_FIXUPS, LC.LC_ATOM_INFO,
]);
const VERSION_MIN_CMDS = new Set<number>([LC.LC_VERSION_MIN_MACOSX, LC.LC_VERSION_MIN_IPHONEOS, LC.LC_VERSION_MIN_TVOS, LC.LC_VERSION_MIN_WATCHOS]);

/** Context of the image a command belongs to. */
export interface CommandContext {
  readonly r: ByteReader;
  readonly header: MachHeader;
}

/** Decodes load command `index` at `off`, whose cmd/cmdsize have already been checked. */
export function decodeLoadCommand(ctx: CommandContext, off: number, index: number, cmd: number, cmdsize: number): LoadCommand {
  const { r, header } = ctx;
  const fileSize = r.length;
  const name = loadCommandName(cmd) ?? `0x${cmd.toString(16)}`;
  const base = { cmd, cmdsize, offset: off, index };
  const needSize = (min: number, exact = false): void => {
    if (exact ? cmdsize !== min : cmdsize < min) {
      malformed(exact ? `${name} command ${index} has incorrect cmdsize` : `load command ${index} ${name} cmdsize too small`, off);
    }
  };
  const inFile = (start: number, size: number, what: string): void => {
    if (start > fileSize) malformed(`${what} field of ${name} command ${index} extends past the end of the file`, off);
    if (start + size > fileSize) malformed(`${what} field plus size of ${name} command ${index} extends past the end of the file`, off);
  };

  if (cmd === LC.LC_SEGMENT || cmd === LC.LC_SEGMENT_64) {
    const is64 = cmd === LC.LC_SEGMENT_64;
    const segSize = is64 ? 72 : 56;
    const sectSize = is64 ? 80 : 68;
    needSize(segSize);
    const segname = r.fixedString(off + 8, 16);
    let p = off + 24;
    const word = (): bigint => {
      const v = is64 ? r.u64(p) : BigInt(r.u32(p));
      p += is64 ? 8 : 4;
      return v;
    };
    const vmaddr = word();
    const vmsize = word();
    const fileoff = word();
    const filesize = word();
    const maxprot = r.u32(p);
    const initprot = r.u32(p + 4);
    const nsects = r.u32(p + 8);
    const flags = r.u32(p + 12);
    if (segSize + nsects * sectSize > cmdsize) {
      malformed(`load command ${index} inconsistent cmdsize in ${name} for the number of sections`, off);
    }
    if (fileoff > BigInt(fileSize)) malformed(`load command ${index} fileoff field in ${name} extends past the end of the file`, off);
    if (fileoff + filesize > BigInt(fileSize)) {
      malformed(`load command ${index} fileoff field plus filesize field in ${name} extends past the end of the file`, off);
    }
    const sections: Section[] = [];
    for (let j = 0; j < nsects; j++) {
      const s = off + segSize + j * sectSize;
      const q = s + 32;
      const addr = is64 ? r.u64(q) : BigInt(r.u32(q));
      const size = is64 ? r.u64(q + 8) : BigInt(r.u32(q + 4));
      const t = q + (is64 ? 16 : 8);
      sections.push({
        sectname: r.fixedString(s, 16),
        segname: r.fixedString(s + 16, 16),
        addr, size,
        offset: r.u32(t),
        align: r.u32(t + 4),
        reloff: r.u32(t + 8),
        nreloc: r.u32(t + 12),
        flags: r.u32(t + 16),
        reserved1: r.u32(t + 20),
        reserved2: r.u32(t + 24),
        reserved3: is64 ? r.u32(t + 28) : 0,
        segmentName: segname,
      });
    }
    return { ...base, kind: "segment", segname, vmaddr, vmsize, fileoff, filesize, maxprot, initprot, nsects, flags, sections };
  }
  if (cmd === LC.LC_SYMTAB) {
    needSize(24, true);
    const symoff = r.u32(off + 8);
    const nsyms = r.u32(off + 12);
    const stroff = r.u32(off + 16);
    const strsize = r.u32(off + 20);
    const entry = header.is64 ? 16 : 12;
    if (symoff > fileSize) malformed(`symoff field of LC_SYMTAB command ${index} extends past the end of the file`, off);
    if (symoff + nsyms * entry > fileSize) {
      malformed(`symoff field plus nsyms field times sizeof(struct nlist${header.is64 ? "_64" : ""}) of LC_SYMTAB command ${index} extends past the end of the file`, off);
    }
    if (stroff > fileSize) malformed(`stroff field of LC_SYMTAB command ${index} extends past the end of the file`, off);
    if (stroff + strsize > fileSize) malformed(`stroff field plus strsize field of LC_SYMTAB command ${index} extends past the end of the file`, off);
    return { ...base, kind: "symtab", symoff, nsyms, stroff, strsize };
  }
  if (cmd === LC.LC_DYSYMTAB) {
    needSize(80, true);
    const w = (i: number): number => r.u32(off + 8 + i * 4);
    const d = {
      ilocalsym: w(0), nlocalsym: w(1), iextdefsym: w(2), nextdefsym: w(3), iundefsym: w(4), nundefsym: w(5),
      tocoff: w(6), ntoc: w(7), modtaboff: w(8), nmodtab: w(9), extrefsymoff: w(10), nextrefsyms: w(11),
      indirectsymoff: w(12), nindirectsyms: w(13), extreloff: w(14), nextrel: w(15), locreloff: w(16), nlocrel: w(17),
    };
    inFile(d.indirectsymoff, d.nindirectsyms * 4, "indirectsymoff");
    inFile(d.extreloff, d.nextrel * 8, "extreloff");
    inFile(d.locreloff, d.nlocrel * 8, "locreloff");
    return { ...base, kind: "dysymtab", ...d };
  }
  if (DYLIB_CMDS.has(cmd)) {
    needSize(24);
    const nameOffset = r.u32(off + 8);
    if (nameOffset < 24) malformed(`load command ${index} ${name} name.offset field too small, not past the end of the dylib_command struct`, off);
    if (nameOffset >= cmdsize) malformed(`load command ${index} ${name} name.offset field extends past the end of the load command`, off);
    return {
      ...base, kind: "dylib", nameOffset, name: r.cString(off + nameOffset, off + cmdsize),
      timestamp: r.u32(off + 12), currentVersion: r.u32(off + 16), compatibilityVersion: r.u32(off + 20),
    };
  }
  const str = STRING_CMDS.get(cmd);
  if (str !== undefined) {
    needSize(str.min);
    const so = r.u32(off + 8);
    if (so < str.min) malformed(`load command ${index} ${name} ${str.field}.offset field too small, not past the end of the ${str.struct} struct`, off);
    if (so >= cmdsize) malformed(`load command ${index} ${name} ${str.field}.offset field extends past the end of the load command`, off);
    return { ...base, kind: "string", stringOffset: so, value: r.cString(off + so, off + cmdsize) };
  }
  if (cmd === LC.LC_UUID) {
    needSize(24, true);
    return { ...base, kind: "uuid", uuid: r.bytes.slice(off + 8, off + 24) };
  }
  if (cmd === LC.LC_BUILD_VERSION) {
    needSize(24);
    const ntools = r.u32(off + 20);
    if (cmdsize !== 24 + ntools * 8) malformed(`LC_BUILD_VERSION_command ${index} has incorrect cmdsize`, off);
    const tools = [];
    for (let i = 0; i < ntools; i++) tools.push({ tool: r.u32(off + 24 + i * 8), version: r.u32(off + 28 + i * 8) });
    return { ...base, kind: "buildVersion", platform: r.u32(off + 8), minos: r.u32(off + 12), sdk: r.u32(off + 16), tools };
  }
  if (VERSION_MIN_CMDS.has(cmd)) {
    needSize(16, true);
    return { ...base, kind: "versionMin", version: r.u32(off + 8), sdk: r.u32(off + 12) };
  }
  if (LINKEDIT_CMDS.has(cmd)) {
    needSize(16, true);
    const dataoff = r.u32(off + 8);
    const datasize = r.u32(off + 12);
    if (dataoff > fileSize) malformed(`dataoff field of ${name} command ${index} extends past the end of the file`, off);
    if (dataoff + datasize > fileSize) malformed(`dataoff field plus datasize field of ${name} command ${index} extends past the end of the file`, off);
    return { ...base, kind: "linkeditData", dataoff, datasize };
  }
  if (cmd === LC.LC_DYLD_INFO || cmd === LC.LC_DYLD_INFO_ONLY) {
    needSize(48, true);
    const w = (i: number): number => r.u32(off + 8 + i * 4);
    const names = ["rebase", "bind", "weak_bind", "lazy_bind", "export"];
    for (let i = 0; i < 5; i++) inFile(w(i * 2), w(i * 2 + 1), `${names[i]}_off`);
    return {
      ...base, kind: "dyldInfo", rebaseOff: w(0), rebaseSize: w(1), bindOff: w(2), bindSize: w(3),
      weakBindOff: w(4), weakBindSize: w(5), lazyBindOff: w(6), lazyBindSize: w(7), exportOff: w(8), exportSize: w(9),
    };
  }
  if (cmd === LC.LC_MAIN) {
    needSize(24, true);
    return { ...base, kind: "main", entryoff: r.u64(off + 8), stacksize: r.u64(off + 16) };
  }
  if (cmd === LC.LC_SOURCE_VERSION) {
    needSize(16, true);
    return { ...base, kind: "sourceVersion", version: r.u64(off + 8) };
  }
  if (cmd === LC.LC_FILESET_ENTRY) {
    needSize(32);
    const entryIdOffset = r.u32(off + 24);
    if (entryIdOffset < 32 || entryIdOffset >= cmdsize) malformed(`load command ${index} LC_FILESET_ENTRY entry_id.offset field out of range`, off);
    return {
      ...base, kind: "filesetEntry", vmaddr: r.u64(off + 8), fileoff: r.u64(off + 16), entryIdOffset,
      entryId: r.cString(off + entryIdOffset, off + cmdsize),
    };
  }
  if (cmd === LC.LC_ENCRYPTION_INFO || cmd === LC.LC_ENCRYPTION_INFO_64) {
    const is64 = cmd === LC.LC_ENCRYPTION_INFO_64;
    needSize(is64 ? 24 : 20, true);
    return { ...base, kind: "encryptionInfo", cryptoff: r.u32(off + 8), cryptsize: r.u32(off + 12), cryptid: r.u32(off + 16), pad: is64 ? r.u32(off + 20) : 0 };
  }
  if (cmd === LC.LC_LINKER_OPTION) {
    needSize(12);
    const strings: string[] = [];
    let p = off + 12;
    const end = off + cmdsize;
    while (p < end) {
      while (p < end && r.bytes[p] === 0) p++;
      if (p >= end) break;
      const s = r.cString(p, end);
      strings.push(s);
      p += s.length + 1;
    }
    return { ...base, kind: "linkerOption", count: r.u32(off + 8), strings };
  }
  if (cmd === LC.LC_NOTE) {
    needSize(40, true);
    return { ...base, kind: "note", dataOwner: r.fixedString(off + 8, 16), noteOffset: r.u64(off + 24), size: r.u64(off + 32) };
  }
  if (cmd === LC.LC_ROUTINES || cmd === LC.LC_ROUTINES_64) {
    const is64 = cmd === LC.LC_ROUTINES_64;
    const ws = is64 ? 8 : 4;
    needSize(8 + 8 * ws, true);
    const word = (i: number): bigint => (is64 ? r.u64(off + 8 + i * 8) : BigInt(r.u32(off + 8 + i * 4)));
    return { ...base, kind: "routines", initAddress: word(0), initModule: word(1), reserved: [2, 3, 4, 5, 6, 7].map(word) };
  }
  if (cmd === LC.LC_THREAD || cmd === LC.LC_UNIXTHREAD) {
    needSize(8);
    const states = [];
    let p = off + 8;
    const end = off + cmdsize;
    while (p + 8 <= end) {
      const flavor = r.u32(p);
      const count = r.u32(p + 4);
      p += 8;
      if (count > (end - p) / 4) malformed(`load command ${index} count in ${name} extends past end of command`, p - 4);
      const words: number[] = [];
      for (let i = 0; i < count; i++) words.push(r.u32(p + i * 4));
      p += count * 4;
      states.push({ flavor, count, words });
    }
    return { ...base, kind: "thread", states };
  }
  return { ...base, kind: "raw", data: r.bytes.slice(off, off + cmdsize) };
}
