/**
 * LC_DYLD_CHAINED_FIXUPS: the header, the imports table, the per-segment chain starts, and the
 * fixup chains themselves for the 64-bit pointer formats (PTR_64, PTR_64_OFFSET, ARM64E and its
 * kernel/userland variants, PTR_64_KERNEL_CACHE, X86_64_KERNEL_CACHE).
 *
 * A chain is walked inside one page: each `next` field is a positive stride multiple, so the walk
 * ends at the page's end at the latest. Counts (segments, pages, imports) are checked against the
 * linkedit blob before anything is allocated.
 */
import { ByteReader } from "./ByteReader.ts";
import { LC } from "./constants.ts";
import { MachOFormatError } from "./MachOFormatError.ts";
import type { MachOImage } from "./types.ts";

export const DYLD_CHAINED_PTR_FORMAT_NAMES: ReadonlyMap<number, string> = new Map([
  [1, "DYLD_CHAINED_PTR_ARM64E"], [2, "DYLD_CHAINED_PTR_64"], [3, "DYLD_CHAINED_PTR_32"],
  [4, "DYLD_CHAINED_PTR_32_CACHE"], [5, "DYLD_CHAINED_PTR_32_FIRMWARE"], [6, "DYLD_CHAINED_PTR_64_OFFSET"],
  [7, "DYLD_CHAINED_PTR_ARM64E_KERNEL"], [8, "DYLD_CHAINED_PTR_64_KERNEL_CACHE"], [9, "DYLD_CHAINED_PTR_ARM64E_USERLAND"],
  [10, "DYLD_CHAINED_PTR_ARM64E_FIRMWARE"], [11, "DYLD_CHAINED_PTR_X86_64_KERNEL_CACHE"], [12, "DYLD_CHAINED_PTR_ARM64E_USERLAND24"],
]);

export interface ChainedFixupsHeader {
  readonly fixupsVersion: number;
  readonly startsOffset: number;
  readonly importsOffset: number;
  readonly symbolsOffset: number;
  readonly importsCount: number;
  /** 1 DYLD_CHAINED_IMPORT, 2 DYLD_CHAINED_IMPORT_ADDEND, 3 DYLD_CHAINED_IMPORT_ADDEND64. */
  readonly importsFormat: number;
  readonly symbolsFormat: number;
}

export interface ChainedImport {
  /** Signed library ordinal (0 self, -1 main executable, -2 flat lookup, -3 weak lookup). */
  readonly libOrdinal: number;
  readonly weakImport: boolean;
  readonly nameOffset: number;
  readonly name: string;
  readonly addend: bigint;
}

export interface ChainedStartsInSegment {
  readonly segmentIndex: number;
  readonly size: number;
  readonly pageSize: number;
  readonly pointerFormat: number;
  readonly segmentOffset: bigint;
  readonly maxValidPointer: number;
  readonly pageStarts: readonly number[];
}

/** One fixup location found by walking a chain. */
export type ChainedFixup =
  | { readonly kind: "rebase"; readonly segmentIndex: number; readonly offset: bigint; readonly raw: bigint; readonly target: bigint; readonly high8: number; readonly auth: boolean }
  | { readonly kind: "bind"; readonly segmentIndex: number; readonly offset: bigint; readonly raw: bigint; readonly ordinal: number; readonly addend: bigint; readonly auth: boolean };

export interface ChainedFixups {
  readonly header: ChainedFixupsHeader;
  /** Per segment (in load-command order); undefined where the segment has no chains. */
  readonly segments: readonly (ChainedStartsInSegment | undefined)[];
  /** seg_info_offset values as stored (0 = none). */
  readonly segInfoOffsets: readonly number[];
  readonly imports: readonly ChainedImport[];
}

const START_NONE = 0xffff;
const START_MULTI = 0x8000;

/** Decodes the image's LC_DYLD_CHAINED_FIXUPS payload, or undefined when it has none. */
export function readChainedFixups(image: MachOImage): ChainedFixups | undefined {
  const lc = image.loadCommands.find((c) => c.kind === "linkeditData" && c.cmd === LC.LC_DYLD_CHAINED_FIXUPS);
  if (lc === undefined || lc.kind !== "linkeditData") return undefined;
  const base = lc.dataoff;
  const size = lc.datasize;
  // The payload is always little-endian.
  const r = new ByteReader(image.bytes.subarray(base, base + size), true);
  if (size < 28) throw new MachOFormatError("chained fixups header extends past the linkedit data", base);
  const header: ChainedFixupsHeader = {
    fixupsVersion: r.u32(0), startsOffset: r.u32(4), importsOffset: r.u32(8), symbolsOffset: r.u32(12),
    importsCount: r.u32(16), importsFormat: r.u32(20), symbolsFormat: r.u32(24),
  };
  if (header.fixupsVersion !== 0) throw new MachOFormatError(`unknown chained fixups version ${header.fixupsVersion}`, base);
  const so = header.startsOffset;
  const segCount = r.u32(so);
  if (so + 4 + segCount * 4 > size) throw new MachOFormatError("chained starts seg_count extends past the linkedit data", base + so);
  const segInfoOffsets: number[] = [];
  const segments: (ChainedStartsInSegment | undefined)[] = [];
  for (let i = 0; i < segCount; i++) {
    const off = r.u32(so + 4 + i * 4);
    segInfoOffsets.push(off);
    if (off === 0) {
      segments.push(undefined);
      continue;
    }
    const s = so + off;
    const pageCount = r.u16(s + 20);
    if (s + 22 + pageCount * 2 > size) throw new MachOFormatError("chained starts page_count extends past the linkedit data", base + s);
    const pageStarts: number[] = [];
    for (let k = 0; k < pageCount; k++) pageStarts.push(r.u16(s + 22 + k * 2));
    segments.push({
      segmentIndex: i, size: r.u32(s), pageSize: r.u16(s + 4), pointerFormat: r.u16(s + 6), segmentOffset: r.u64(s + 8),
      maxValidPointer: r.u32(s + 16), pageStarts,
    });
  }
  const entry = header.importsFormat === 1 ? 4 : header.importsFormat === 2 ? 8 : header.importsFormat === 3 ? 16 : 0;
  if (entry === 0) throw new MachOFormatError(`unknown imports format ${header.importsFormat}`, base + 20);
  if (header.importsOffset + header.importsCount * entry > size) throw new MachOFormatError("chained imports extend past the linkedit data", base + 16);
  const imports: ChainedImport[] = [];
  for (let i = 0; i < header.importsCount; i++) {
    const p = header.importsOffset + i * entry;
    let libOrdinal: number;
    let weakImport: boolean;
    let nameOffset: number;
    let addend = 0n;
    if (header.importsFormat === 3) {
      const w = r.u64(p);
      libOrdinal = Number(w & 0xffffn) << 16 >> 16;
      weakImport = ((w >> 16n) & 1n) === 1n;
      nameOffset = Number(w >> 32n);
      addend = r.u64(p + 8);
    } else {
      const w = r.u32(p);
      libOrdinal = (w & 0xff) << 24 >> 24;
      weakImport = ((w >>> 8) & 1) === 1;
      nameOffset = w >>> 9;
      if (header.importsFormat === 2) addend = BigInt(r.i32(p + 4));
    }
    const nameAt = header.symbolsOffset + nameOffset;
    if (nameAt >= size) throw new MachOFormatError(`chained import ${i} name offset out of range`, base + p);
    imports.push({ libOrdinal, weakImport, nameOffset, name: r.cString(nameAt, size), addend });
  }
  return { header, segments, segInfoOffsets, imports };
}

/** Walks every chain of the image and returns the fixups in address order per page. */
export function walkChainedFixups(image: MachOImage, fixups: ChainedFixups): ChainedFixup[] {
  const out: ChainedFixup[] = [];
  const r = new ByteReader(image.bytes, true);
  for (const seg of fixups.segments) {
    if (seg === undefined) continue;
    const segCmd = image.segments[seg.segmentIndex];
    if (segCmd === undefined) throw new MachOFormatError(`chained starts for missing segment ${seg.segmentIndex}`, 0);
    const fmt = seg.pointerFormat;
    const stride = fmt === 1 || fmt === 9 || fmt === 12 ? 8 : fmt === 2 || fmt === 6 || fmt === 7 || fmt === 8 || fmt === 11 ? 4 : 0;
    if (stride === 0) throw new MachOFormatError(`unsupported chained pointer format ${fmt}`, 0);
    seg.pageStarts.forEach((start, page) => {
      if (start === START_NONE) return;
      if (start & START_MULTI) throw new MachOFormatError("multi-start chains are not used by 64-bit formats", 0);
      let off = page * seg.pageSize + start;
      const pageEnd = (page + 1) * seg.pageSize;
      for (;;) {
        const fileOff = Number(segCmd.fileoff) + off;
        const raw = r.u64(fileOff);
        const segOffset = BigInt(off);
        let next: number;
        if (fmt === 2 || fmt === 6) {
          next = Number((raw >> 51n) & 0xfffn);
          if (raw >> 63n) out.push({ kind: "bind", segmentIndex: seg.segmentIndex, offset: segOffset, raw, ordinal: Number(raw & 0xffffffn), addend: (raw >> 24n) & 0xffn, auth: false });
          else out.push({ kind: "rebase", segmentIndex: seg.segmentIndex, offset: segOffset, raw, target: raw & 0xfffffffffn, high8: Number((raw >> 36n) & 0xffn), auth: false });
        } else if (fmt === 8 || fmt === 11) {
          next = Number((raw >> 51n) & 0xfffn);
          out.push({ kind: "rebase", segmentIndex: seg.segmentIndex, offset: segOffset, raw, target: raw & 0x3fffffffn, high8: 0, auth: (raw >> 63n) === 1n });
        } else {
          next = Number((raw >> 51n) & 0x7ffn);
          const auth = (raw >> 63n) === 1n;
          const bind = ((raw >> 62n) & 1n) === 1n;
          if (bind) {
            const ordBits = fmt === 12 ? 0xffffffn : 0xffffn;
            const addend = auth ? 0n : BigInt.asIntN(19, (raw >> 32n) & 0x7ffffn);
            out.push({ kind: "bind", segmentIndex: seg.segmentIndex, offset: segOffset, raw, ordinal: Number(raw & ordBits), addend, auth });
          } else {
            out.push({ kind: "rebase", segmentIndex: seg.segmentIndex, offset: segOffset, raw, target: auth ? raw & 0xffffffffn : raw & 0x7ffffffffffn, high8: auth ? 0 : Number((raw >> 43n) & 0xffn), auth });
          }
        }
        if (next === 0) break;
        off += next * stride;
        if (off + 8 > pageEnd + 8 || off >= Number(segCmd.filesize)) throw new MachOFormatError("fixup chain runs past its page", fileOff);
      }
    });
  }
  return out;
}
