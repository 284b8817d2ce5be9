/**
 * `ioreg -f`: "smart" formatting of Open Firmware / device-tree properties, as ioreg's printProp
 * does it. Decoded properties start on the next line, each decoded line under the property
 * block's indent plus four spaces:
 *
 * - `reg` (when the device-tree parent's name starts with `pci`) and `assigned-addresses`: IEEE
 *   1275 PCI physical addresses, 20 bytes each (phys.hi/mid/lo, size.hi/lo; bus, device, function,
 *   register; space type and flags);
 * - `slot-names`: a 32-bit slot mask followed by NUL-terminated names;
 * - `ranges`: child/parent/size cells, sized by `#address-cells`/`#size-cells` found on the entry
 *   or its device-tree ancestors;
 * - `interrupt-map`, `interrupts`, `interrupt-parent`: specifiers, and phandles resolved to
 *   device-tree paths through `AAPL,phandle`;
 * - any other data longer than 8 bytes that is not a string: a hex dump, 32 bytes per line at most,
 *   fewer when `-w` leaves less room.
 *
 * Cells are read little-endian, as on every Mac ioreg ran on since the Intel transition.
 */
import type { OSValue } from "../../libkern/index.ts";
import { OSNumber } from "../../libkern/index.ts";
import type { IORegistrySnapshot, IORegistrySnapshotEntry } from "./IORegistrySnapshot.ts";
import { snapshotLocation, snapshotName } from "./IORegistrySnapshot.ts";
import { dataIsStrings, formatIORegData, formatIORegValue, type FormatValueOptions } from "./formatIORegValue.ts";
import type { IORegPrinter } from "./IORegPrinter.ts";

const DT = "IODeviceTree";

/** What smart formatting needs besides the value. */
export interface SmartContext {
  readonly snapshot: IORegistrySnapshot;
  readonly printer: IORegPrinter;
  /** `-w` width (0 for none): sizes hex dumps. */
  readonly width: number;
  /** ioreg's non-fatal `assertion` messages. */
  readonly warn: (message: string) => void;
  /** Lazily built: first device-tree parent of each entry. */
  dtParent?: Map<number, number>;
}

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, "0");
const dec2 = (n: number): string => String(n).padStart(2, "0");

function cell(bytes: Uint8Array, i: number): number {
  const o = i * 4;
  if (o + 4 > bytes.length) return 0;
  return ((bytes[o] as number) | ((bytes[o + 1] as number) << 8) | ((bytes[o + 2] as number) << 16) | ((bytes[o + 3] as number) << 24)) >>> 0;
}

function dtParentOf(ctx: SmartContext, index: number): number | undefined {
  if (ctx.dtParent === undefined) {
    ctx.dtParent = new Map();
    ctx.snapshot.entries.forEach((e, i) => {
      for (const k of e.children[DT] ?? []) if (!ctx.dtParent?.has(k)) ctx.dtParent?.set(k, i);
    });
  }
  return ctx.dtParent.get(index);
}

/** IORegistryEntrySearchCFProperty(parents|recursive) of a 32-bit cell, as getRecursivePropValue. */
function searchCell(ctx: SmartContext, start: number | undefined, key: string): number {
  for (let i = start, guard = 0; i !== undefined && guard <= ctx.snapshot.entries.length; i = dtParentOf(ctx, i), guard++) {
    const v = ctx.snapshot.entries[i]?.properties.get(key);
    if (v instanceof Uint8Array) return cell(v, 0) | 0;
    if (v instanceof OSNumber) return v.int32();
  }
  ctx.warn("unable to get properties");
  return 0;
}

function lookupPHandle(ctx: SmartContext, phandle: number): number | undefined {
  const entries = ctx.snapshot.entries;
  for (let i = 0; i < entries.length; i++) {
    const v = entries[i]?.properties.get("AAPL,phandle");
    if (v instanceof Uint8Array && v.length === 4 && cell(v, 0) === phandle >>> 0) return i;
  }
  return undefined;
}

function dtPath(ctx: SmartContext, index: number | undefined): string {
  const parts: string[] = [];
  const entries = ctx.snapshot.entries;
  for (let i = index, guard = 0; i !== undefined && guard <= entries.length; guard++) {
    const parent = dtParentOf(ctx, i);
    if (parent === undefined) return i === 0 && index !== undefined ? `/${parts.reverse().join("/")}` : "<path error";
    if (parent === 0) return `/${parts.reverse().join("/")}`;
    const e = entries[i];
    if (e === undefined) break;
    const loc = snapshotLocation(e, DT);
    parts.push(loc === undefined ? snapshotName(e, DT) : `${snapshotName(e, DT)}@${loc}`);
    i = parent;
  }
  return "<path error";
}

function physAddr(ctx: SmartContext, pad: string, bytes: Uint8Array): void {
  const p = ctx.printer;
  if (bytes.length === 0) {
    p.println("<>");
    return;
  }
  p.println("");
  const spaces = ["Config", "I/O", "Mem", "64-bit"];
  for (let n = 0; n < Math.floor(bytes.length / 20); n++) {
    const hi = cell(bytes, n * 5);
    p.println(`${pad}    ${dec2(n)}: phys.hi: ${hex8(hi)} phys.mid: ${hex8(cell(bytes, n * 5 + 1))} phys.lo: ${hex8(cell(bytes, n * 5 + 2))}`);
    p.println(`${pad}        size.hi: ${hex8(cell(bytes, n * 5 + 3))} size.lo: ${hex8(cell(bytes, n * 5 + 4))}`);
    p.println(`${pad}        bus: ${(hi >>> 16) & 0xff} dev: ${(hi >>> 11) & 0x1f} func: ${(hi >>> 8) & 0x7} reg: ${hi & 0xff}`);
    const flags = `${hi & 0x80000000 ? "abs" : "rel"}${hi & 0x40000000 ? ", prefetch" : ""}${hi & 0x20000000 ? ", alias" : ""}`;
    p.println(`${pad}        type: ${spaces[(hi >>> 24) & 3]} flags: ${flags}`);
  }
}

function slotNames(ctx: SmartContext, pad: string, bytes: Uint8Array): void {
  const p = ctx.printer;
  const mask = cell(bytes, 0);
  if (bytes.length === 0 || mask === 0) {
    p.println("<>");
    return;
  }
  p.println("");
  let at = 4;
  for (let bit = 0; bit < 32; bit++) {
    if ((mask & (1 << bit)) === 0) continue;
    let end = bytes.indexOf(0, at);
    if (end < 0) end = bytes.length;
    let name = "";
    for (let i = at; i < end; i++) name += String.fromCharCode(bytes[i] as number);
    p.println(`${pad}    ${dec2(bit)}: ${name}`);
    at = end + 1;
  }
}

function ranges(ctx: SmartContext, index: number, pad: string, bytes: Uint8Array): void {
  const p = ctx.printer;
  if (bytes.length === 0) {
    p.println("<>");
    return;
  }
  const parent = dtParentOf(ctx, index);
  if (parent === undefined) ctx.warn("unable to get device tree parent");
  const parentA = searchCell(ctx, parent, "#address-cells");
  const childA = searchCell(ctx, index, "#address-cells");
  const childS = searchCell(ctx, index, "#size-cells");
  const elem = childA + parentA + childS;
  p.println("");
  p.print(`${pad}    `);
  const titles = ["-child--", "-parent-", "-size---"];
  [childA, parentA, childS].forEach((count, j) => {
    p.print(titles[j] as string);
    if (count > 1) {
      p.print("-");
      for (let i = 2; i <= count; i++) p.print(i === count ? "-------- " : "---------");
    } else p.print(" ");
  });
  p.println("");
  const n = elem > 0 ? Math.floor(bytes.length / (elem * 4)) : 0;
  for (let r = 0, q = 0; r < n; r++) {
    let line = `${pad}    `;
    for (let i = 0; i < elem; i++) line += `${hex8(cell(bytes, q++))} `;
    p.println(line);
  }
}

function interruptMap(ctx: SmartContext, index: number, pad: string, bytes: Uint8Array): void {
  const p = ctx.printer;
  const childCells = searchCell(ctx, index, "#address-cells") + searchCell(ctx, index, "#interrupt-cells");
  const cells = Math.floor(bytes.length / 4);
  let pos = 0;
  p.println("");
  for (let count = 0; pos < cells; count++) {
    let line = `${pad}    ${dec2(count)}:   child: `;
    for (let i = 0; i < childCells; i++) line += `${hex8(cell(bytes, pos++))} `;
    p.println(line);
    const phandle = cell(bytes, pos++);
    const target = lookupPHandle(ctx, phandle);
    if (target === undefined) ctx.warn("error looking up phandle");
    const parentCells = searchCell(ctx, target, "#address-cells") + searchCell(ctx, target, "#interrupt-cells");
    p.println(`${pad}        phandle: ${hex8(phandle)} (${target === undefined ? "<path error" : dtPath(ctx, target)})`);
    line = `${pad}         parent: `;
    for (let i = 0; i < parentCells; i++) line += `${hex8(cell(bytes, pos++))} `;
    p.println(line);
  }
}

function interrupts(ctx: SmartContext, pad: string, bytes: Uint8Array): void {
  const p = ctx.printer;
  const length = Math.floor(bytes.length / 4);
  p.println("");
  for (let pos = 0, index = 0; pos < length; pos++, index++) {
    p.print(`${pad}    ${dec2(index)}: `);
    if (pos < length - 1) {
      const spec = cell(bytes, pos);
      const sense = cell(bytes, pos + 1);
      p.print(`specifier: ${hex8(spec)} (vector: ${(spec & 0xff).toString(16).padStart(2, "0")}) sense: ${hex8(sense)} (`);
      pos++;
      if (sense & 2) p.print(`HyperTransport vector: ${((sense >>> 16) & 0xffff).toString(16).padStart(4, "0")}, `);
      p.println(`${sense & 1 ? "level" : "edge"})`);
    } else {
      p.println(`parent interrupt-map entry: ${hex8(cell(bytes, pos))}`);
    }
  }
}

function interruptParent(ctx: SmartContext, bytes: Uint8Array): void {
  const phandle = cell(bytes, 0);
  const target = lookupPHandle(ctx, phandle);
  // ioreg prints nothing at all (not even the newline) when the phandle is unknown.
  if (target === undefined) return;
  const path = dtPath(ctx, target);
  ctx.printer.println(`<${hex8(phandle)}>${path !== "" ? ` (${path})` : ""}`);
}

const hexDigit = (n: number): string => "0123456789ABCDEF"[n & 15] as string;

/** ioreg's printData: strings, short hex, or a hex dump with an ASCII column. */
function printData(ctx: SmartContext, depth: number, pad: string, bytes: Uint8Array, hex: boolean): void {
  const p = ctx.printer;
  if (dataIsStrings(bytes, hex) || bytes.length <= 8) {
    p.println(`<${formatIORegData(bytes, hex)}>`);
    return;
  }
  // ioreg computes this in unsigned arithmetic, so a width too small to fit wraps to "huge" → 32.
  const room = (ctx.width - 20 - 2 * depth) >>> 0;
  const perLine = Math.max(1, Math.min(32, Math.floor(room / 4)));
  for (let offset = 0; offset < bytes.length; offset += perLine) {
    p.println("");
    let work = "";
    for (let s = 28; s >= 0; s -= 4) work += hexDigit(offset >>> s);
    work += ":";
    const n = Math.min(perLine, bytes.length - offset);
    for (let i = 0; i < n; i++) {
      const c = bytes[offset + i] as number;
      work += ` ${hexDigit(c >> 4)}${hexDigit(c)}`;
    }
    work += "   ".repeat(perLine - n);
    work += " ";
    for (let i = 0; i < n; i++) {
      const c = bytes[offset + i] as number;
      work += c < 0x20 || c > 0x7e ? "." : String.fromCharCode(c);
    }
    p.print(`${pad}    ${work}`);
  }
  p.println("");
}

/** Prints one property value under -f (the key and ` = ` are already printed). */
export function formatSmartProperty(ctx: SmartContext, index: number, depth: number, pad: string, key: string, value: OSValue, options: FormatValueOptions): void {
  const hex = options.hex === true;
  const data = value instanceof Uint8Array ? value : undefined;
  if (data !== undefined) {
    if (key === "reg") {
      const parent = dtParentOf(ctx, index);
      const parentName = parent === undefined ? undefined : snapshotName(ctx.snapshot.entries[parent] as IORegistrySnapshotEntry, DT);
      if (parentName !== undefined && parentName.startsWith("pci")) return physAddr(ctx, pad, data);
    } else if (key === "assigned-addresses") return physAddr(ctx, pad, data);
    else if (key === "slot-names") return slotNames(ctx, pad, data);
    else if (key === "ranges") return ranges(ctx, index, pad, data);
    else if (key === "interrupt-map") return interruptMap(ctx, index, pad, data);
    else if (key === "interrupts") return interrupts(ctx, pad, data);
    else if (key === "interrupt-parent") return interruptParent(ctx, data);
    return printData(ctx, depth, pad, data, hex);
  }
  ctx.printer.println(formatIORegValue(value, options));
}
