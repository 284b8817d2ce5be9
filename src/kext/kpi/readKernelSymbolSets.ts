/**
 * KPI symbol sets taken from a real kernel: a kernel Mach-O (a KDK's
 * System/Library/Kernels/kernel.*, thin or fat) or a kernel collection (MH_FILESET, whose
 * `com.apple.kernel` entry is the kernel).
 *
 * Big Sur and later kernels embed their KPI sets as a plist in `__LINKINFO,__symbolsets`; those are
 * used as they are, with their own versions. An older kernel has no such section: the bundled
 * export lists say which names belong to which KPI, and the kernel's symbol table says which of
 * them this kernel defines (an alias counts when its target is defined; a `prefix*` entry expands
 * to the kernel's symbols with that prefix); the version comes from the kernel's
 * "Darwin Kernel Version X.Y.Z:" banner.
 */
import {
  MH_FILETYPE, MachOFormatError, isDefined, isExternal, openMachO, parseBinaryPlist, parseMachOImage, parseSlice,
  parseXMLPlist, readSymbols, type MachOImage,
} from "../../formats/index.ts";
import { OSKextParseVersionString } from "../../libkern/index.ts";
import {
  bundledKpiData, bundledKpiEntries, kernelSymbolSetsFromPlist, kpiArchFamily, makeKernelSymbolSet, parseKpiExportEntry,
  type KernelSymbolSet, type KpiExportEntry,
} from "./KernelSymbolSet.ts";

/** A kernel that cannot serve as the source of KPI symbol sets; the message names the problem. */
export class KernelSymbolSetError extends Error {
  override readonly name = "KernelSymbolSetError";
}

/** The slice of `bytes` for `arch`: an exact match first, then the same family (arm64e ↔ arm64). */
function kernelImage(bytes: Uint8Array, arch: string, source: string): MachOImage | undefined {
  const file = openMachO(bytes);
  let index = file.slices.findIndex((s) => s.archName === arch);
  if (index < 0) {
    const family = kpiArchFamily(arch);
    index = file.slices.findIndex((s) => s.archName !== undefined && family !== undefined && kpiArchFamily(s.archName) === family);
  }
  if (index < 0) return undefined;
  const image = parseSlice(file, index);
  if (image.header.filetype !== MH_FILETYPE.MH_FILESET) return image;
  const entry = image.loadCommands.find((c) => c.kind === "filesetEntry" && c.entryId === "com.apple.kernel");
  if (entry === undefined || entry.kind !== "filesetEntry") {
    throw new KernelSymbolSetError(`${source} is a kernel collection without a com.apple.kernel entry`);
  }
  return parseMachOImage(image.bytes, Number(entry.fileoff));
}

/** The embedded `__LINKINFO,__symbolsets` plist's sets, or undefined when there is none. */
function embeddedSymbolSets(image: MachOImage, source: string): KernelSymbolSet[] | undefined {
  const section = image.sections.find((s) => s.segname === "__LINKINFO" && s.sectname === "__symbolsets");
  if (section === undefined || section.size === 0n) return undefined;
  const end = section.offset + Number(section.size);
  if (end > image.bytes.length) throw new MachOFormatError("__LINKINFO,__symbolsets extends past the end of the file", section.offset);
  const data = image.bytes.subarray(section.offset, end);
  const isBinary = data.length >= 8 && String.fromCharCode(...data.subarray(0, 8)) === "bplist00";
  const sets = kernelSymbolSetsFromPlist(isBinary ? parseBinaryPlist(data) : parseXMLPlist(data), source);
  if (sets === undefined) throw new KernelSymbolSetError(`${source}: __LINKINFO,__symbolsets is not a SymbolsSets plist`);
  return sets;
}

/** The X.Y.Z of the kernel's "Darwin Kernel Version X.Y.Z:" banner, if present. */
export function darwinKernelVersion(bytes: Uint8Array): string | undefined {
  const marker = "Darwin Kernel Version ";
  const first = marker.charCodeAt(0);
  for (let i = bytes.indexOf(first); i >= 0 && i + marker.length < bytes.length; i = bytes.indexOf(first, i + 1)) {
    let j = 0;
    while (j < marker.length && bytes[i + j] === marker.charCodeAt(j)) j++;
    if (j < marker.length) continue;
    let k = i + j;
    let v = "";
    while (k < bytes.length && v.length < 24 && bytes[k] !== 0x3a && bytes[k] !== 0) v += String.fromCharCode(bytes[k++] as number);
    if (/^\d+(\.\d+){0,2}([dabf]c?\d+)?$/.test(v)) return v;
  }
  return undefined;
}

/** Sets for an older kernel: the bundled lists, limited to what this kernel defines. */
function filteredSymbolSets(image: MachOImage, arch: string, source: string): KernelSymbolSet[] {
  const family = kpiArchFamily(arch);
  if (family === undefined) throw new KernelSymbolSetError(`${source}: no KPI lists for architecture ${arch}`);
  const defined = new Set<string>();
  for (const s of readSymbols(image)) if (s.name !== undefined && isExternal(s) && isDefined(s)) defined.add(s.name);
  if (defined.size === 0) throw new KernelSymbolSetError(`${source} has no symbol table to take KPI symbols from`);
  const banner = darwinKernelVersion(image.bytes);
  if (banner === undefined) throw new KernelSymbolSetError(`${source} has no "Darwin Kernel Version" banner; is it a kernel?`);
  const version = OSKextParseVersionString(banner);
  const sorted = [...defined].sort();
  return bundledKpiData().map((d) => {
    const entries: KpiExportEntry[] = [];
    for (const e of bundledKpiEntries(d, family).map(parseKpiExportEntry)) {
      if (e.isPrefix) {
        for (const name of sorted) if (name.startsWith(e.name)) entries.push({ name, isPrefix: false });
      } else if (defined.has(e.target ?? e.name)) {
        entries.push(e);
      }
    }
    return makeKernelSymbolSet({
      bundleID: d.bundleID, path: `${source}:${d.bundleID}`, version, compatibleVersion: OSKextParseVersionString(d.compatibleVersion),
    }, entries);
  });
}

/**
 * The KPI symbol sets of the kernel in `bytes` for `arch`, or undefined when the file has no
 * slice for that architecture. Throws {@link MachOFormatError} for a file that is not Mach-O and
 * {@link KernelSymbolSetError} for one that is not a usable kernel.
 */
export function readKernelSymbolSets(bytes: Uint8Array, arch: string, source: string): KernelSymbolSet[] | undefined {
  const image = kernelImage(bytes, arch, source);
  if (image === undefined) return undefined;
  return embeddedSymbolSets(image, source) ?? filteredSymbolSets(image, arch, source);
}
