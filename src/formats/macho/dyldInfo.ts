/**
 * dyld's compressed linkedit tables: the exports trie (LC_DYLD_INFO export area or
 * LC_DYLD_EXPORTS_TRIE) and the rebase / bind / weak-bind / lazy-bind opcode streams.
 *
 * The trie is walked with an explicit stack; a node is visited at most once, so a trie whose edges
 * form a cycle cannot loop. Opcode streams are interpreted with every address checked against
 * its segment, and the number of produced entries is capped, so a hostile `DO_*_ULEB_TIMES` count
 * cannot make the decoder allocate without bound.
 */
import type { ByteReader } from "./ByteReader.ts";
import { LC } from "./constants.ts";
import { MachOFormatError } from "./MachOFormatError.ts";
import type { MachOImage, SegmentCommand } from "./types.ts";

export const EXPORT_SYMBOL_FLAGS_KIND_MASK = 0x03;
export const EXPORT_SYMBOL_FLAGS_KIND_REGULAR = 0x00;
export const EXPORT_SYMBOL_FLAGS_KIND_THREAD_LOCAL = 0x01;
export const EXPORT_SYMBOL_FLAGS_KIND_ABSOLUTE = 0x02;
export const EXPORT_SYMBOL_FLAGS_WEAK_DEFINITION = 0x04;
export const EXPORT_SYMBOL_FLAGS_REEXPORT = 0x08;
export const EXPORT_SYMBOL_FLAGS_STUB_AND_RESOLVER = 0x10;

/** One exported symbol. */
export interface ExportEntry {
  readonly name: string;
  readonly flags: number;
  /** Image offset of the symbol (0 for re-exports). */
  readonly address: bigint;
  /** Resolver offset (stub-and-resolver) or dylib ordinal (re-export). */
  readonly other: bigint;
  /** The name in the other dylib, for a re-export under another name. */
  readonly importName: string | undefined;
}

/** Upper bound on decoded rebase/bind entries, far above any real image. */
const MAX_ENTRIES = 1 << 24;

/** The export trie's location, from LC_DYLD_EXPORTS_TRIE or LC_DYLD_INFO(_ONLY). */
export function exportTrieRange(image: MachOImage): { offset: number; size: number } | undefined {
  for (const lc of image.loadCommands) {
    if (lc.kind === "linkeditData" && lc.cmd === LC.LC_DYLD_EXPORTS_TRIE) return { offset: lc.dataoff, size: lc.datasize };
    if (lc.kind === "dyldInfo" && lc.exportSize > 0) return { offset: lc.exportOff, size: lc.exportSize };
  }
  return undefined;
}

/** Decodes the export trie at [offset, offset+size) of the image. */
export function parseExportTrie(r: ByteReader, offset: number, size: number): ExportEntry[] {
  r.need(offset, size, "export trie");
  const end = offset + size;
  const out: ExportEntry[] = [];
  if (size === 0) return out;
  const visited = new Set<number>();
  // Stack of [node offset, prefix]; children are pushed in reverse so output is in edge order.
  const stack: [number, string][] = [[offset, ""]];
  while (stack.length > 0) {
    const [node, prefix] = stack.pop()!;
    if (visited.has(node)) throw new MachOFormatError("export trie contains a loop", node);
    visited.add(node);
    const term = r.ulebn(node, end);
    let p = term.next;
    if (term.value > 0) {
      const infoEnd = p + term.value;
      if (infoEnd > end) throw new MachOFormatError("export trie terminal size extends past the trie", node);
      const flags = r.ulebn(p, infoEnd);
      p = flags.next;
      let address = 0n;
      let other = 0n;
      let importName: string | undefined;
      if (flags.value & EXPORT_SYMBOL_FLAGS_REEXPORT) {
        const ord = r.uleb(p, infoEnd);
        other = ord.value;
        importName = r.cString(ord.next, infoEnd);
        if (importName === "") importName = undefined;
      } else {
        const a = r.uleb(p, infoEnd);
        address = a.value;
        if (flags.value & EXPORT_SYMBOL_FLAGS_STUB_AND_RESOLVER) other = r.uleb(a.next, infoEnd).value;
      }
      out.push({ name: prefix, flags: flags.value, address, other, importName });
      p = infoEnd;
    }
    if (p >= end) throw new MachOFormatError("export trie node extends past the trie", p);
    const count = r.u8(p++);
    const children: [number, string][] = [];
    for (let i = 0; i < count; i++) {
      const label = r.cString(p, end);
      p += label.length + 1;
      if (p > end) throw new MachOFormatError("export trie edge label extends past the trie", p);
      const child = r.ulebn(p, end);
      p = child.next;
      if (child.value === 0 || child.value >= size) throw new MachOFormatError("export trie child offset out of range", p);
      children.push([offset + child.value, prefix + label]);
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return out;
}

/** The image's exports, or [] when it has no trie. */
export function readExports(image: MachOImage): ExportEntry[] {
  const range = exportTrieRange(image);
  return range === undefined ? [] : parseExportTrie(image.reader, range.offset, range.size);
}

export interface RebaseEntry {
  readonly segment: string;
  readonly segmentIndex: number;
  readonly segmentOffset: bigint;
  readonly address: bigint;
  /** 1 pointer, 2 text absolute 32, 3 text pcrel 32. */
  readonly type: number;
}

export interface BindEntry extends RebaseEntry {
  readonly symbolName: string;
  /** Library ordinal; 0 self, -1 main executable, -2 flat lookup, -3 weak lookup. */
  readonly ordinal: number;
  readonly addend: bigint;
  readonly flags: number;
}

function segmentAt(image: MachOImage, index: number, at: number): SegmentCommand {
  const seg = image.segments[index];
  if (seg === undefined) throw new MachOFormatError(`segment index ${index} out of range`, at);
  return seg;
}

/**
 * The location an opcode stream's DO_* opcode fixes up, checked against its segment and against
 * the entry cap; `count` is the number of entries produced so far.
 */
function location(image: MachOImage, segIndex: number, segOff: bigint, count: number, at: number): RebaseEntry & { type: 0 } {
  const seg = segmentAt(image, segIndex, at);
  if (segOff < 0n || segOff >= seg.vmsize) throw new MachOFormatError(`address outside segment ${seg.segname}`, at);
  if (count >= MAX_ENTRIES) throw new MachOFormatError("too many rebase or bind entries", at);
  return { segment: seg.segname, segmentIndex: segIndex, segmentOffset: segOff, address: seg.vmaddr + segOff, type: 0 };
}

/** Decodes a rebase opcode stream. */
export function parseRebaseOpcodes(image: MachOImage, offset: number, size: number): RebaseEntry[] {
  const r = image.reader;
  r.need(offset, size, "rebase info");
  const end = offset + size;
  const ptr = image.header.is64 ? 8n : 4n;
  const out: RebaseEntry[] = [];
  let type = 0;
  let segIndex = -1;
  let segOff = 0n;
  let p = offset;
  const emit = (at: number): void => {
    out.push({ ...location(image, segIndex, segOff, out.length, at), type });
  };
  while (p < end) {
    const at = p;
    const byte = r.u8(p++);
    const op = byte & 0xf0;
    const imm = byte & 0x0f;
    switch (op) {
      case 0x00: return out; // DONE
      case 0x10: type = imm; break; // SET_TYPE_IMM
      case 0x20: { // SET_SEGMENT_AND_OFFSET_ULEB
        segIndex = imm;
        const v = r.uleb(p, end);
        segOff = v.value;
        p = v.next;
        break;
      }
      case 0x30: { const v = r.uleb(p, end); segOff = BigInt.asUintN(64, segOff + v.value); p = v.next; break; }
      case 0x40: segOff += BigInt(imm) * ptr; break; // ADD_ADDR_IMM_SCALED
      case 0x50: for (let i = 0; i < imm; i++) { emit(at); segOff += ptr; } break; // DO_REBASE_IMM_TIMES
      case 0x60: { // DO_REBASE_ULEB_TIMES
        const v = r.ulebn(p, end);
        p = v.next;
        for (let i = 0; i < v.value; i++) { emit(at); segOff += ptr; }
        break;
      }
      case 0x70: { emit(at); const v = r.uleb(p, end); p = v.next; segOff += v.value + ptr; break; } // DO_REBASE_ADD_ADDR_ULEB
      case 0x80: { // DO_REBASE_ULEB_TIMES_SKIPPING_ULEB
        const c = r.ulebn(p, end);
        const s = r.uleb(c.next, end);
        p = s.next;
        for (let i = 0; i < c.value; i++) { emit(at); segOff += s.value + ptr; }
        break;
      }
      default:
        throw new MachOFormatError(`bad rebase opcode 0x${byte.toString(16)}`, at);
    }
  }
  return out;
}

/** Decodes a bind, weak-bind or lazy-bind opcode stream. */
export function parseBindOpcodes(image: MachOImage, offset: number, size: number, kind: "bind" | "weak" | "lazy"): BindEntry[] {
  const r = image.reader;
  r.need(offset, size, `${kind} bind info`);
  const end = offset + size;
  const ptr = image.header.is64 ? 8n : 4n;
  const out: BindEntry[] = [];
  let type = kind === "lazy" ? 1 : 0;
  let segIndex = -1;
  let segOff = 0n;
  let ordinal = 0;
  let name = "";
  let flags = 0;
  let addend = 0n;
  let p = offset;
  const emit = (at: number): void => {
    out.push({ ...location(image, segIndex, segOff, out.length, at), type, symbolName: name, ordinal, addend, flags });
  };
  while (p < end) {
    const at = p;
    const byte = r.u8(p++);
    const op = byte & 0xf0;
    const imm = byte & 0x0f;
    switch (op) {
      case 0x00: if (kind !== "lazy") return out; break; // DONE (lazy streams hold several)
      case 0x10: ordinal = imm; break; // SET_DYLIB_ORDINAL_IMM
      case 0x20: { const v = r.ulebn(p, end); ordinal = v.value; p = v.next; break; }
      case 0x30: ordinal = imm === 0 ? 0 : (imm | 0xf0) << 24 >> 24; break; // SET_DYLIB_SPECIAL_IMM
      case 0x40: { flags = imm; name = r.cString(p, end); p += name.length + 1; if (p > end) throw new MachOFormatError("bind symbol name extends past the stream", at); break; }
      case 0x50: type = imm; break;
      case 0x60: { const v = r.sleb(p, end); addend = v.value; p = v.next; break; }
      case 0x70: { segIndex = imm; const v = r.uleb(p, end); segOff = v.value; p = v.next; break; }
      case 0x80: { const v = r.uleb(p, end); segOff = BigInt.asUintN(64, segOff + v.value); p = v.next; break; }
      case 0x90: emit(at); segOff += ptr; break; // DO_BIND
      case 0xa0: { emit(at); const v = r.uleb(p, end); p = v.next; segOff = BigInt.asUintN(64, segOff + v.value + ptr); break; }
      case 0xb0: emit(at); segOff += BigInt(imm) * ptr + ptr; break; // DO_BIND_ADD_ADDR_IMM_SCALED
      case 0xc0: { // DO_BIND_ULEB_TIMES_SKIPPING_ULEB
        const c = r.ulebn(p, end);
        const s = r.uleb(c.next, end);
        p = s.next;
        for (let i = 0; i < c.value; i++) { emit(at); segOff += s.value + ptr; }
        break;
      }
      case 0xd0: break; // THREADED (arm64e pre-chained-fixups): not decoded here
      default:
        throw new MachOFormatError(`bad bind opcode 0x${byte.toString(16)}`, at);
    }
  }
  return out;
}

/** All dyld-info tables of the image (empty arrays when it has no LC_DYLD_INFO). */
export function readDyldInfo(image: MachOImage): { rebases: RebaseEntry[]; binds: BindEntry[]; weakBinds: BindEntry[]; lazyBinds: BindEntry[] } {
  const lc = image.loadCommands.find((c) => c.kind === "dyldInfo");
  if (lc === undefined || lc.kind !== "dyldInfo") return { rebases: [], binds: [], weakBinds: [], lazyBinds: [] };
  return {
    rebases: parseRebaseOpcodes(image, lc.rebaseOff, lc.rebaseSize),
    binds: parseBindOpcodes(image, lc.bindOff, lc.bindSize, "bind"),
    weakBinds: parseBindOpcodes(image, lc.weakBindOff, lc.weakBindSize, "weak"),
    lazyBinds: parseBindOpcodes(image, lc.lazyBindOff, lc.lazyBindSize, "lazy"),
  };
}
