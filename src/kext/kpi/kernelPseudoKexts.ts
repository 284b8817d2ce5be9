/**
 * The running kernel's built-in pseudo-kexts as user-space kexts: one codeless kernel component
 * (`OSKernelResource`, `OSBundleRequired` Root) per KPI symbol set, with the set's
 * CFBundleVersion and OSBundleCompatibleVersion. The kernel always holds its System.kext
 * plug-ins, so a kext's `com.apple.kpi.*` libraries resolve (and have their versions checked, as
 * for any library) even when no repository carries a System.kext — the usual case off a Mac.
 * The sets are the bundled ones (xnu's export lists) or those of a kernel named by `-kernel`.
 */
import { writeXMLPlist } from "../../formats/index.ts";
import { OSKextVersionGetString, dict } from "../../libkern/index.ts";
import { MemoryBundleSource } from "../BundleSource.ts";
import type { OSKext } from "../OSKext.ts";
import { readKext } from "../readKext.ts";
import type { KernelSymbolSet } from "./KernelSymbolSet.ts";

/** A kernel component kext for each set, at the set's `path`. */
export async function kernelPseudoKexts(sets: readonly KernelSymbolSet[]): Promise<OSKext[]> {
  const source = new MemoryBundleSource();
  const out: OSKext[] = [];
  for (const s of sets) {
    const info = dict({
      CFBundleIdentifier: s.bundleID, CFBundleInfoDictionaryVersion: "6.0", CFBundlePackageType: "KEXT",
      CFBundleVersion: OSKextVersionGetString(s.version), OSBundleCompatibleVersion: OSKextVersionGetString(s.compatibleVersion),
      OSBundleRequired: "Root", OSKernelResource: true,
    });
    source.addDir(s.path).addFile(`${s.path}/Info.plist`, writeXMLPlist(info));
    out.push(await readKext(source, s.path));
  }
  return out;
}
