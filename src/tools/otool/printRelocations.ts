/**
 * `otool -r` (non-verbose): the external and local relocations of a linked image, then each
 * section's relocation entries, in llvm-otool's columns.
 */
import { readDynamicRelocations, readSectionRelocations, type MachOImage, type Relocation } from "../../formats/index.ts";

const HEADER = "address  pcrel length extern type    scattered symbolnum/value\n";

function entry(r: Relocation): string {
  const addr = (r.address >>> 0).toString(16).padStart(8, "0");
  if (r.scattered) {
    return `${addr} ${String(Number(r.pcrel)).padEnd(6)}${String(r.length).padEnd(7)}${"n/a".padEnd(7)}${String(r.type).padEnd(8)}${"1".padEnd(10)}0x${r.value.toString(16).padStart(8, "0")}\n`;
  }
  return `${addr} ${String(Number(r.pcrel)).padEnd(6)}${String(r.length).padEnd(7)}${String(Number(r.extern)).padEnd(7)}${String(r.type).padEnd(8)}${"0".padEnd(10)}${r.symbolnum}\n`;
}

export function printRelocations(image: MachOImage): string {
  let o = "";
  const dyn = readDynamicRelocations(image);
  if (dyn.external.length > 0) o += `External relocation information ${dyn.external.length} entries\n${HEADER}${dyn.external.map(entry).join("")}`;
  if (dyn.local.length > 0) o += `Local relocation information ${dyn.local.length} entries\n${HEADER}${dyn.local.map(entry).join("")}`;
  for (const s of image.sections) {
    if (s.nreloc === 0) continue;
    o += `Relocation information (${s.segname},${s.sectname}) ${s.nreloc} entries\n${HEADER}`;
    o += readSectionRelocations(image, s).map(entry).join("");
  }
  return o;
}
