/**
 * The driver-qualification checklist Apple's kext team gave developers (WWDC 2010, session 203):
 * things `kextutil` does not refuse but that should never ship. Each becomes a Warning:
 *
 * - a personality with a non-zero `IOKitDebug` (extra logging that slows users' systems);
 * - a `CFBundleVersion` not advanced over an installed copy (the system keeps the newest copy);
 * - an identifier that is not reverse-DNS, or still holds a template's placeholder company;
 * - `OSBundleCompatibleVersion` on a kext nobody links against (it makes the kext a library);
 * - `OSBundleRequired` on a third-party kext (only root-file-system drivers need early loading);
 * - files that do not belong: headers, `.DS_Store`, debugger session files, build leftovers;
 * - global symbols without the bundle identifier's prefix (`com_example_…`: the kernel has one
 *   namespace), and debug symbols in a release build (from the Mach-O symbol audit).
 *
 * Ownership and modes, the last item of that list, are the Authentication check
 * (`authenticateKext.ts`). Divergence from XNU: Apple's tools make none of these checks.
 */
import {
  OSKextVersionGetString, isAppleBundleIdentifier, isOSDictionary, isPlaceholderBundleIdentifier,
  isReverseDNSBundleIdentifier, kindOf, type OSNumber,
} from "../libkern/index.ts";
import { joinPath } from "./BundleSource.ts";
import { findBuildVariables } from "./buildPlaceholders.ts";
import { DiagnosticSink } from "./checkProperty.ts";
import type { KextDiagnostic } from "./KextDiagnostic.ts";
import * as M from "./kextDiagnosticMessages.ts";
import type { KextSet } from "./KextSet.ts";
import { DEFAULT_KEXT_ARCH, type OSKext } from "./OSKext.ts";

/** File names and patterns that have no business inside a kext bundle. */
const STRAY_FILE = /(^|\/)(\.DS_Store|\.gdb_history|\.gdbinit|\.lldbinit|\.lldb_history|core(\.\d+)?|[^/]*\.(h|hh|hpp|hxx|o|a|gdb|dSYM|swp|orig|rej|bak)|[^/]*~)$/;

/** True when a bundle-relative path names a file that should not ship in a kext. */
export function isStrayKextFile(relativePath: string): boolean {
  return STRAY_FILE.test(relativePath);
}

export interface QualifyKextOptions {
  readonly arch?: string;
  /** The other kexts known (installed copies, repositories) for the version and library checks. */
  readonly set?: KextSet;
}

/** Runs the qualification checklist on one kext; every finding is a Warning. */
export function qualifyKext(kext: OSKext, options: QualifyKextOptions = {}): KextDiagnostic[] {
  const sink = new DiagnosticSink(kext.path);
  const arch = options.arch ?? DEFAULT_KEXT_ARCH;
  if (kext.info === undefined) return sink.items;
  const id = kext.bundleID;

  for (const [name, p] of kext.personalities(arch)) {
    if (!isOSDictionary(p)) continue;
    const debug = p.get("IOKitDebug");
    if (debug !== undefined && kindOf(debug) === "integer" && (debug as OSNumber).value !== 0n) {
      const key = `${kext.infoKeyUsed("IOKitPersonalities", arch)}.${name}.IOKitDebug`;
      sink.add("warnings", "iokitdebug-set", M.kIOKitTSDebugPersonalityKey, `${key} - ${(debug as OSNumber).value}`, key);
    }
  }

  if (id !== undefined && id.length > 0 && findBuildVariables(id).length === 0) {
    if (!isReverseDNSBundleIdentifier(id)) {
      sink.add("warnings", "identifier-not-reverse-dns", M.kIOKitTSNotReverseDNSKey, id, "CFBundleIdentifier");
    } else if (isPlaceholderBundleIdentifier(id)) {
      sink.add("warnings", "identifier-placeholder", M.kIOKitTSPlaceholderIdentifierKey, id, "CFBundleIdentifier");
    }
  }

  const set = options.set;
  if (set !== undefined && id !== undefined && kext.version > 0n) {
    for (const other of set.withIdentifier(id)) {
      if (other === kext || other.path === kext.path || other.version <= 0n) continue;
      if (other.version >= kext.version) {
        sink.add("warnings", "version-not-advanced", M.kIOKitTSVersionNotAdvancedKey,
          `${other.path} (${OSKextVersionGetString(other.version)})`, "CFBundleVersion");
      }
    }
  }

  if (set !== undefined && id !== undefined && kext.isLibrary && !kext.isKernelComponent && !isAppleBundleIdentifier(id)) {
    const linked = set.all().some((k) => k !== kext && [...k.libraries(arch).keys()].includes(id));
    if (!linked) sink.add("warnings", "compatible-version-not-library", M.kIOKitTSUnusedCompatibleVersionKey, undefined, "OSBundleCompatibleVersion");
  }

  if (kext.bundleRequired !== undefined && id !== undefined && !isAppleBundleIdentifier(id) && kext.bundleRequired !== "DriverKit") {
    sink.add("warnings", "bundle-required-unneeded", M.kIOKitTSUnneededBundleRequiredKey, `OSBundleRequired - ${kext.bundleRequired}`, "OSBundleRequired");
  }

  for (const finding of kext.executable?.macho?.symbolFindings ?? []) {
    sink.add("warnings", "symbol-audit", M.kIOKitTSSymbolAuditKey, finding, "CFBundleExecutable");
  }

  for (const f of kext.files) {
    if (f.relativePath !== "" && isStrayKextFile(f.relativePath)) {
      sink.add("warnings", "stray-file", M.kIOKitTSStrayFileKey, joinPath(kext.path, f.relativePath));
    }
  }
  return sink.items;
}
