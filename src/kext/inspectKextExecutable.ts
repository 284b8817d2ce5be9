/**
 * What a kext's Mach-O executable holds, judged with the Mach-O reader: per architecture, whether
 * it is kernel-extension code (`MH_KEXT_BUNDLE` — or the `MH_OBJECT` of old kexts — defining
 * `_kmod_info`), whether the file carries a code signature, and the symbol audit (globals prefixed
 * by the bundle identifier, no debug symbols) that the WWDC qualification list asks for.
 *
 * The bytes are inspected once, when the bundle is read, and only this summary is kept, so a set of
 * hundreds of kexts does not hold their binaries in memory.
 */
import { MH_FILETYPE, MachOFormatError, isDefined, openMachO, parseSlice, readCodeSignature, readSymbols } from "../formats/index.ts";
import { auditKextSymbols } from "./auditKextSymbols.ts";

/** The inspection of one Mach-O executable. */
export interface KextMachOInspection {
  /** Architectures whose slice is kernel-extension code. */
  readonly kextCodeArchs: readonly string[];
  /** Set when the file could not be read as Mach-O at all. */
  readonly malformed: string | undefined;
  /** `none`: no LC_CODE_SIGNATURE; `present`: a signature that parses; `invalid`: one that does not. */
  readonly signature: "none" | "present" | "invalid";
  /** Symbol-audit findings (unprefixed globals, debug symbols), as messages. */
  readonly symbolFindings: readonly string[];
}

/** Inspects a Mach-O executable (fat or thin). Never throws for bad bytes. */
export function inspectKextMachO(bytes: Uint8Array, bundleID: string | undefined): KextMachOInspection {
  let file;
  try {
    file = openMachO(bytes);
  } catch (e) {
    if (!(e instanceof MachOFormatError)) throw e;
    return { kextCodeArchs: [], malformed: e.message, signature: "none", symbolFindings: [] };
  }
  const kextCodeArchs: string[] = [];
  let signature: KextMachOInspection["signature"] = "none";
  for (let i = 0; i < file.slices.length; i++) {
    try {
      const image = parseSlice(file, i);
      const ft = image.header.filetype;
      const isKextType = ft === MH_FILETYPE.MH_KEXT_BUNDLE || ft === MH_FILETYPE.MH_OBJECT;
      if (isKextType && readSymbols(image).some((s) => s.name === "_kmod_info" && isDefined(s))) {
        kextCodeArchs.push(file.slices[i]?.archName ?? `cputype ${image.header.cputype}`);
      }
      try {
        if (readCodeSignature(image) !== undefined && signature === "none") signature = "present";
      } catch (e) {
        if (!(e instanceof MachOFormatError)) throw e;
        signature = "invalid";
      }
    } catch (e) {
      if (!(e instanceof MachOFormatError)) throw e;
    }
  }
  const symbolFindings: string[] = [];
  if (bundleID !== undefined && bundleID.split(".").length >= 2) {
    for (const d of auditKextSymbols(file, { bundleId: bundleID, release: true }).diagnostics) {
      if (d.kind === "unprefixed-global" || d.kind === "debug-symbols" || d.kind === "dwarf-segment") {
        symbolFindings.push(`${d.arch !== undefined ? `${d.arch}: ` : ""}${d.message}`);
      }
    }
  }
  return { kextCodeArchs, malformed: undefined, signature, symbolFindings };
}
