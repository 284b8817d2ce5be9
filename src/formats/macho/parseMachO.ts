/**
 * Entry points of the Mach-O reader: {@link openMachO} for any file (fat or thin), {@link parseFatHeader}
 * and {@link parseMachOImage} for one image.
 *
 * Mechanism: the header decides the byte order and word size; load commands are walked with every
 * cmd/cmdsize checked against the region `sizeofcmds` declares and against the file, in LLVM's
 * order and wording; each command is then decoded by `decodeLoadCommand`. Symbols, dyld info,
 * chained fixups and code signatures are decoded on demand by their own modules, so listing the
 * architectures of a large binary touches only its headers.
 *
 * Invariants: every read is bounds-checked (ByteReader); counts are checked against the bytes they
 * claim before anything is allocated; nothing recurses on input.
 */
import { ByteReader } from "./ByteReader.ts";
import { CPU_ARCH_ABI64, FAT_MAGIC, FAT_MAGIC_64, LC, MH_CIGAM, MH_CIGAM_64, MH_MAGIC, MH_MAGIC_64 } from "./constants.ts";
import { decodeLoadCommand, malformed } from "./loadCommands.ts";
import { MachOFormatError } from "./MachOFormatError.ts";
import { archFlagName } from "./archNames.ts";
import type { DylibCommand, DysymtabCommand, FatArch, FatHeader, LoadCommand, MachHeader, MachOImage, Section, SegmentCommand, SymtabCommand } from "./types.ts";

/** What kind of file `bytes` holds, judging by its magic. */
export function machOKind(bytes: Uint8Array): "fat" | "thin" | "unknown" {
  if (bytes.length < 4) return "unknown";
  const m = ((bytes[0] as number) << 24 | (bytes[1] as number) << 16 | (bytes[2] as number) << 8 | (bytes[3] as number)) >>> 0;
  if (m === FAT_MAGIC || m === FAT_MAGIC_64) {
    // Java class files share 0xcafebabe; their "nfat_arch" (versions) is large.
    if (bytes.length >= 8) {
      const n = ((bytes[4] as number) << 24 | (bytes[5] as number) << 16 | (bytes[6] as number) << 8 | (bytes[7] as number)) >>> 0;
      if (m === FAT_MAGIC && n >= 43) return "unknown";
    }
    return "fat";
  }
  if (m === MH_MAGIC || m === MH_CIGAM || m === MH_MAGIC_64 || m === MH_CIGAM_64) return "thin";
  return "unknown";
}

/** Parses a fat (universal) header, 32- or 64-bit. Throws if `bytes` is not a valid fat file. */
export function parseFatHeader(bytes: Uint8Array): FatHeader {
  const r = new ByteReader(bytes, false);
  if (bytes.length < 8) throw new MachOFormatError("truncated or malformed fat file (file too small)", 0);
  const magic = r.u32(0);
  if (magic !== FAT_MAGIC && magic !== FAT_MAGIC_64) throw new MachOFormatError("not a fat file", 0);
  const is64 = magic === FAT_MAGIC_64;
  const n = r.u32(4);
  if (n === 0) throw new MachOFormatError("truncated or malformed fat file (contains zero architecture types)", 4);
  const entry = is64 ? 32 : 20;
  if (8 + n * entry > bytes.length) {
    throw new MachOFormatError(`truncated or malformed fat file (fat_arch${is64 ? "_64" : ""} structs would extend past the end of the file)`, 8);
  }
  const arches: FatArch[] = [];
  for (let i = 0; i < n; i++) {
    const p = 8 + i * entry;
    const cputype = r.u32(p);
    const cpusubtype = r.u32(p + 4);
    const offset = is64 ? r.u64n(p + 8, "offset") : r.u32(p + 8);
    const size = is64 ? r.u64n(p + 16, "size") : r.u32(p + 12);
    const align = r.u32(p + (is64 ? 24 : 16));
    const reserved = is64 ? r.u32(p + 28) : 0;
    if (offset + size > bytes.length) {
      throw new MachOFormatError(`truncated or malformed fat file (offset plus size of cputype (${cputype | 0}) cpusubtype (${cpusubtype & 0xffffff}) extends past the end of the file)`, p);
    }
    if (align > 15) {
      throw new MachOFormatError(`truncated or malformed fat file (align (2^${align}) too large for cputype (${cputype | 0}) cpusubtype (${cpusubtype & 0xffffff}) (maximum 2^15))`, p);
    }
    if (offset < 8 + n * entry && size !== 0) {
      throw new MachOFormatError(`truncated or malformed fat file (cputype (${cputype | 0}) cpusubtype (${cpusubtype & 0xffffff}) offset ${offset} overlaps universal headers)`, p);
    }
    for (const other of arches) {
      if (other.cputype === cputype && (other.cpusubtype & 0xffffff) === (cpusubtype & 0xffffff)) {
        throw new MachOFormatError(`truncated or malformed fat file (contains two of the same architecture (cputype (${cputype | 0}) cpusubtype (${cpusubtype & 0xffffff})))`, p);
      }
    }
    arches.push({ cputype, cpusubtype, offset, size, align, reserved });
  }
  return { magic, is64, arches };
}

/** Reads the mach_header at the start of `bytes`. */
export function parseMachHeader(bytes: Uint8Array): MachHeader {
  if (bytes.length < 4) throw new MachOFormatError("truncated or malformed object (file too small to be a Mach-O file)", 0);
  const be = new ByteReader(bytes, false).u32(0);
  let little: boolean;
  let is64: boolean;
  if (be === MH_MAGIC || be === MH_MAGIC_64) {
    little = false;
    is64 = be === MH_MAGIC_64;
  } else if (be === MH_CIGAM || be === MH_CIGAM_64) {
    little = true;
    is64 = be === MH_CIGAM_64;
  } else {
    throw new MachOFormatError("The file was not recognized as a valid object file", 0);
  }
  const size = is64 ? 32 : 28;
  if (bytes.length < size) throw new MachOFormatError("truncated or malformed object (mach header extends past the end of the file)", 0);
  const r = new ByteReader(bytes, little);
  return {
    magic: r.u32(0), is64, littleEndian: little, cputype: r.u32(4), cpusubtype: r.u32(8), filetype: r.u32(12),
    ncmds: r.u32(16), sizeofcmds: r.u32(20), flags: r.u32(24), reserved: is64 ? r.u32(28) : 0, size,
  };
}

/**
 * Parses one thin Mach-O image: header and load commands (symbols and linkedit tables are lazy).
 * `headerOffset` places the mach_header inside `bytes`, for an entry of a kernel collection
 * (MH_FILESET, LC_FILESET_ENTRY fileoff), whose file offsets count from the start of the whole file.
 */
export function parseMachOImage(bytes: Uint8Array, headerOffset = 0): MachOImage {
  const header = parseMachHeader(headerOffset === 0 ? bytes : bytes.subarray(headerOffset));
  const r = new ByteReader(bytes, header.littleEndian);
  const end = headerOffset + header.size + header.sizeofcmds;
  if (end > bytes.length) malformed("load commands extend past the end of the file", 20);
  if (header.ncmds > header.sizeofcmds / 8) {
    // Every command takes at least 8 bytes: reject an absurd ncmds before walking it.
    const first = Math.floor(header.sizeofcmds / 8);
    malformed(`load command ${first} extends past the end all load commands in the file`, headerOffset + header.size + first * 8);
  }
  const loadCommands: LoadCommand[] = [];
  const segments: SegmentCommand[] = [];
  const sections: Section[] = [];
  const dylibs: DylibCommand[] = [];
  let symtab: SymtabCommand | undefined;
  let dysymtab: DysymtabCommand | undefined;
  let seenUuid = false;
  let off = headerOffset + header.size;
  for (let i = 0; i < header.ncmds; i++) {
    if (off + 8 > end) malformed(`load command ${i} extends past the end all load commands in the file`, off);
    const cmd = r.u32(off);
    const cmdsize = r.u32(off + 4);
    if (off + cmdsize > bytes.length) malformed(`load command ${i} extends past end of file`, off);
    if (cmdsize < 8) malformed(`load command ${i} with size less than 8 bytes`, off);
    if (header.is64 ? cmdsize % 8 !== 0 && !(header.filetype === 4 && cmd === LC.LC_THREAD && cmdsize % 4 === 0) : cmdsize % 4 !== 0) {
      malformed(`load command ${i} cmdsize not a multiple of ${header.is64 ? 8 : 4}`, off);
    }
    const lc = decodeLoadCommand({ r, header }, off, i, cmd, cmdsize);
    loadCommands.push(lc);
    switch (lc.kind) {
      case "segment":
        segments.push(lc);
        for (const s of lc.sections) sections.push(s);
        break;
      case "symtab":
        if (symtab !== undefined) malformed("more than one LC_SYMTAB command", off);
        symtab = lc;
        break;
      case "dysymtab":
        if (dysymtab !== undefined) malformed("more than one LC_DYSYMTAB command", off);
        dysymtab = lc;
        break;
      case "uuid":
        if (seenUuid) malformed("more than one LC_UUID command", off);
        seenUuid = true;
        break;
      case "dylib":
        if (lc.cmd !== LC.LC_ID_DYLIB) dylibs.push(lc);
        break;
      default:
        break;
    }
    off += cmdsize;
  }
  return { bytes, reader: r, header, loadCommands, segments, sections, symtab, dysymtab, dylibs };
}

/** One architecture of a file: the whole file when thin, else one fat slice. */
export interface MachOSlice {
  readonly cputype: number;
  readonly cpusubtype: number;
  /** LLVM's name for the architecture, or undefined when LLVM has none. */
  readonly archName: string | undefined;
  /** Offset of the slice in the file (0 for a thin file). */
  readonly offset: number;
  readonly size: number;
  readonly align: number;
  readonly bytes: Uint8Array;
}

/** A Mach-O file as found on disk. */
export interface MachOFile {
  /** The fat header, or undefined for a thin file. */
  readonly fat: FatHeader | undefined;
  readonly slices: readonly MachOSlice[];
}

/**
 * Opens a fat or thin Mach-O file. Slices are located but not parsed; call {@link parseSlice}.
 * Throws {@link MachOFormatError} when the file is neither.
 */
export function openMachO(bytes: Uint8Array): MachOFile {
  const kind = machOKind(bytes);
  if (kind === "fat") {
    const fat = parseFatHeader(bytes);
    const slices = fat.arches.map((a) => ({
      cputype: a.cputype, cpusubtype: a.cpusubtype, archName: archFlagName(a.cputype, a.cpusubtype),
      offset: a.offset, size: a.size, align: a.align, bytes: bytes.subarray(a.offset, a.offset + a.size),
    }));
    return { fat, slices };
  }
  if (kind === "thin") {
    const h = parseMachHeader(bytes);
    return {
      fat: undefined,
      slices: [{
        cputype: h.cputype, cpusubtype: h.cpusubtype, archName: archFlagName(h.cputype, h.cpusubtype),
        offset: 0, size: bytes.length, align: 0, bytes,
      }],
    };
  }
  throw new MachOFormatError("The file was not recognized as a valid object file", 0);
}

/**
 * Parses a slice's image and checks that it matches what the fat header says about it.
 * Offsets in errors are relative to the slice.
 */
export function parseSlice(file: MachOFile, index: number): MachOImage {
  const slice = file.slices[index];
  if (slice === undefined) throw new RangeError(`no slice ${index}`);
  if (file.fat !== undefined) {
    const kind = machOKind(slice.bytes);
    if (kind !== "thin") {
      throw new MachOFormatError(`truncated or malformed object (universal header architecture: ${index}'s object is not a Mach-O file)`, slice.offset);
    }
    const h = parseMachHeader(slice.bytes);
    if (h.cputype !== slice.cputype) {
      throw new MachOFormatError(`truncated or malformed object (universal header architecture: ${index}'s cputype does not match object file's mach header)`, slice.offset);
    }
    if ((h.cpusubtype & 0xffffff) !== (slice.cpusubtype & 0xffffff)) {
      throw new MachOFormatError(`truncated or malformed object (universal header architecture: ${index}'s cpusubtype does not match object file's mach header)`, slice.offset);
    }
  }
  return parseMachOImage(slice.bytes);
}

/** True when the architecture is 64-bit (cputype has CPU_ARCH_ABI64). */
export function is64BitCpu(cputype: number): boolean {
  return (cputype & CPU_ARCH_ABI64) !== 0;
}
