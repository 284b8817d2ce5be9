/**
 * Writes a universal (fat) file from thin images, laid out as llvm-lipo does: slices sorted with
 * arm64-family last and otherwise by alignment (stable), each placed at the next multiple of its
 * 2^align after a 32-bit fat header. Offsets must fit 32 bits (no fat64 writing).
 */
import { CPU_TYPE, FAT_MAGIC } from "./constants.ts";
import { MachOFormatError } from "./MachOFormatError.ts";

export interface FatSliceInput {
  readonly cputype: number;
  readonly cpusubtype: number;
  /** log2 of the slice alignment. */
  readonly align: number;
  readonly bytes: Uint8Array;
}

/** The slices in the order llvm-lipo writes them. */
export function sortFatSlices<T extends FatSliceInput>(slices: readonly T[]): T[] {
  return slices
    .map((s, i) => ({ s, i }))
    .sort((a, b) => {
      const x = a.s;
      const y = b.s;
      if (x.cputype === y.cputype) return ((x.cpusubtype >>> 0) - (y.cpusubtype >>> 0)) || a.i - b.i;
      const xa = x.cputype === CPU_TYPE.ARM64;
      const ya = y.cputype === CPU_TYPE.ARM64;
      if (xa !== ya) return xa ? 1 : -1;
      return (x.align - y.align) || a.i - b.i;
    })
    .map((e) => e.s);
}

/** Builds the bytes of a fat file holding `slices`. */
export function buildFatFile(slices: readonly FatSliceInput[]): Uint8Array {
  const sorted = sortFatSlices(slices);
  let offset = 8 + sorted.length * 20;
  const placed: { s: FatSliceInput; offset: number }[] = [];
  for (const s of sorted) {
    const a = 2 ** s.align;
    offset = Math.ceil(offset / a) * a;
    if (offset + s.bytes.length > 0xffffffff) {
      throw new MachOFormatError("fat file too large to be created because the offset field in struct fat_arch is only 32-bits", offset);
    }
    placed.push({ s, offset });
    offset += s.bytes.length;
  }
  const out = new Uint8Array(offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, FAT_MAGIC);
  dv.setUint32(4, sorted.length);
  placed.forEach(({ s, offset: off }, i) => {
    const p = 8 + i * 20;
    dv.setUint32(p, s.cputype >>> 0);
    dv.setUint32(p + 4, s.cpusubtype >>> 0);
    dv.setUint32(p + 8, off);
    dv.setUint32(p + 12, s.bytes.length);
    dv.setUint32(p + 16, s.align);
    out.set(s.bytes, off);
  });
  return out;
}
