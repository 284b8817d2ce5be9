/**
 * Relocation entries (`struct relocation_info` and `scattered_relocation_info`) of a section, plus
 * the external and local relocations LC_DYSYMTAB lists for linked images. Decoding follows
 * <mach-o/reloc.h>: the r_info word's bit layout depends on the image's byte order; a scattered
 * entry is flagged by the top bit of its first word (32-bit images only).
 */
import { MachOFormatError } from "./MachOFormatError.ts";
import type { MachOImage, Section } from "./types.ts";

export const R_SCATTERED = 0x80000000;

export interface Relocation {
  /** r_address: offset in the section (or from the first segment for dysymtab relocations). */
  readonly address: number;
  readonly scattered: boolean;
  readonly pcrel: boolean;
  /** log2 of the size: 0 byte, 1 word, 2 long, 3 quad. */
  readonly length: number;
  /** Non-scattered: r_extern (symbolnum indexes the symbol table, else it is a section number). */
  readonly extern: boolean;
  readonly type: number;
  /** Non-scattered: r_symbolnum. */
  readonly symbolnum: number;
  /** Scattered: r_value. */
  readonly value: number;
}

function decode(image: MachOImage, off: number, count: number, what: string): Relocation[] {
  const r = image.reader;
  r.need(off, count * 8, what);
  const little = image.header.littleEndian;
  const out: Relocation[] = [];
  for (let i = 0; i < count; i++) {
    const w0 = r.u32(off + i * 8);
    const w1 = r.u32(off + i * 8 + 4);
    if (!image.header.is64 && (w0 & R_SCATTERED) !== 0) {
      out.push({
        address: w0 & 0xffffff, scattered: true, pcrel: ((w0 >>> 30) & 1) === 1, length: (w0 >>> 28) & 3,
        extern: false, type: (w0 >>> 24) & 0xf, symbolnum: 0, value: w1,
      });
      continue;
    }
    // r_symbolnum:24, r_pcrel:1, r_length:2, r_extern:1, r_type:4 — packed from the low bits on
    // little-endian images and from the high bits on big-endian ones.
    const f = little
      ? { symbolnum: w1 & 0xffffff, pcrel: (w1 >>> 24) & 1, length: (w1 >>> 25) & 3, extern: (w1 >>> 27) & 1, type: w1 >>> 28 }
      : { symbolnum: w1 >>> 8, pcrel: (w1 >>> 7) & 1, length: (w1 >>> 5) & 3, extern: (w1 >>> 4) & 1, type: w1 & 0xf };
    out.push({ address: w0 | 0, scattered: false, pcrel: f.pcrel === 1, length: f.length, extern: f.extern === 1, type: f.type, symbolnum: f.symbolnum, value: 0 });
  }
  return out;
}

/** A section's relocations (object files). */
export function readSectionRelocations(image: MachOImage, section: Section): Relocation[] {
  if (section.nreloc === 0) return [];
  if (section.reloff + section.nreloc * 8 > image.bytes.length) {
    throw new MachOFormatError(`relocation entries of section (${section.segname},${section.sectname}) extend past the end of the file`, section.reloff);
  }
  return decode(image, section.reloff, section.nreloc, "relocation entries");
}

/** The external and local relocations of a linked image (LC_DYSYMTAB extrel/locrel). */
export function readDynamicRelocations(image: MachOImage): { external: Relocation[]; local: Relocation[] } {
  const d = image.dysymtab;
  if (d === undefined) return { external: [], local: [] };
  return {
    external: decode(image, d.extreloff, d.nextrel, "external relocation entries"),
    local: decode(image, d.locreloff, d.nlocrel, "local relocation entries"),
  };
}
