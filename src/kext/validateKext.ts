/**
 * Validation of one kext on its own (`__OSKextProcessInfoDictionary` + `__OSKextValidate`): the
 * info dictionary's keys, types and values, its personalities, and its executable. Every check runs
 * even after a failure, so one pass reports everything — except a bad `CFBundlePackageType`, after
 * which nothing else about the bundle can be trusted.
 *
 * Checks that need other kexts (personalities naming another bundle, dependencies) live in
 * `resolveDependencies.ts` and `validateKextInSet.ts`; ownership and modes in `authenticateKext.ts`.
 */
import { OSKextParseVersionString, checkKextBundleIdentifier, isOSDictionary, kindOf, type OSValue } from "../libkern/index.ts";
import { findBuildVariables } from "./buildPlaceholders.ts";
import { DiagnosticSink, checkProperty, placeholderNote } from "./checkProperty.ts";
import type { KextDiagnostic } from "./KextDiagnostic.ts";
import * as M from "./kextDiagnosticMessages.ts";
import { DEFAULT_KEXT_ARCH, type OSKext } from "./OSKext.ts";

/** `OSBundleRequired` values the loader knows. */
export const OSBundleRequiredValues = ["Root", "Local-Root", "Network-Root", "Safe Boot", "Console", "DriverKit"] as const;

/** Keys a driver extension may not declare. */
const DEXT_FORBIDDEN_KEYS = ["OSKernelResource", "AppleSecurityExtension", "AppleKernelExternalComponent", "OSBundleSharedExecutableIdentifier", "OSBundleIsInterface"];

export interface ValidateKextOptions {
  /** The architecture whose `_<arch>` keys and executable slice are checked. */
  readonly arch?: string;
}

/** Validates a kext on its own and returns its diagnostics (read problems included). */
export function validateKext(kext: OSKext, options: ValidateKextOptions = {}): KextDiagnostic[] {
  const arch = options.arch ?? DEFAULT_KEXT_ARCH;
  const sink = new DiagnosticSink(kext.path);
  sink.items.push(...kext.readDiagnostics);
  for (const f of kext.files) {
    if (f.stat.type === "symlink") sink.add("warnings", "symlink", M.kOSKextDiagnosticSymlinkKey, f.relativePath);
  }
  const info = kext.info;
  if (info === undefined) return sink.items;

  if (!checkProperty(sink, info.get("CFBundlePackageType"), "CFBundlePackageType", "string", { required: true, allowed: ["KEXT", "DEXT"] })) {
    return sink.items;
  }
  const isDext = info.get("CFBundlePackageType") === "DEXT";

  // Identifier and versions.
  const id = info.get("CFBundleIdentifier");
  if (checkProperty(sink, id, "CFBundleIdentifier", "string", { required: true, nonEmpty: true })) {
    const problem = checkKextBundleIdentifier(id as string);
    if (problem === "too-long") sink.add("validation", "identifier-too-long", M.kOSKextDiagnosticIdentifierOrVersionTooLongKey);
  }
  const versionValue = info.get("CFBundleVersion");
  if (checkProperty(sink, versionValue, "CFBundleVersion", "string", { required: true, nonEmpty: true })) {
    if ((versionValue as string).length >= 64) {
      sink.add("validation", "version-too-long", M.kOSKextDiagnosticIdentifierOrVersionTooLongKey);
    } else if (kext.version < 0n) {
      const note = placeholderNote(versionValue as string, true);
      sink.add("validation", note ? "build-variable" : "illegal-value", M.kOSKextDiagnosticPropertyIsIllegalValueKey,
        note ? `CFBundleVersion - ${note}` : "CFBundleVersion", "CFBundleVersion");
    }
  }
  const compat = info.get("OSBundleCompatibleVersion");
  if (checkProperty(sink, compat, "OSBundleCompatibleVersion", "string", { nonEmpty: true })) {
    if (kext.compatibleVersion < 0n) {
      const note = placeholderNote(compat as string, true);
      sink.add("validation", note ? "build-variable" : "illegal-value", M.kOSKextDiagnosticPropertyIsIllegalValueKey,
        note ? `OSBundleCompatibleVersion - ${note}` : "OSBundleCompatibleVersion", "OSBundleCompatibleVersion");
    } else if (kext.version > 0n && kext.compatibleVersion > kext.version) {
      sink.add("validation", "compatible-later-than-version", M.kOSKextDiagnosticCompatibleVersionLaterThanVersionKey);
    }
  }

  // Flags.
  checkProperty(sink, info.get("OSBundleIsInterface"), "OSBundleIsInterface", "boolean");
  checkProperty(sink, info.get("OSKernelResource"), "OSKernelResource", "boolean");
  if (kext.isKernelComponent && info.get("OSBundleIsInterface") === false) {
    sink.add("warnings", "kernel-component-not-interface", M.kOSKextDiagnosticKernelComponentNotInterfaceKey);
  }
  checkProperty(sink, info.get("CFBundleExecutable"), "CFBundleExecutable", "string", { nonEmpty: true });
  checkProperty(sink, info.get("OSBundleEnableKextLogging"), "OSBundleEnableKextLogging", "boolean");
  if (info.has("OSBundleDebugLevel")) {
    sink.add("warnings", "deprecated-property", M.kOSKextDiagnosticDeprecatedPropertyKey, "OSBundleDebugLevel", "OSBundleDebugLevel");
  }
  if (checkProperty(sink, info.get("OSBundleRequired"), "OSBundleRequired", "string", { allowed: OSBundleRequiredValues })) {
    const required = info.get("OSBundleRequired") as string;
    if (!isDext && required === "DriverKit") {
      sink.add("validation", "driverkit-required-on-kext", M.kOSKextDiagnosticKextIneligibleForDriverKit, undefined, "OSBundleRequired");
    } else if (isDext && !(kext.bundleID ?? "").startsWith("com.apple.")) {
      sink.add("bootLevel", "dext-third-party-required", M.kOSKextDiagnosticThirdPartiesIneligibleForDriverKitOSBundleRequired, undefined, "OSBundleRequired");
    } else if (isDext && required !== "DriverKit" && required !== "Safe Boot") {
      sink.add("bootLevel", "dext-required-value", M.kOSKextDiagnosticOSBundleRequiredValueIneligibleForDriverKit, undefined, "OSBundleRequired");
    }
  }
  if (isDext) {
    for (const key of DEXT_FORBIDDEN_KEYS) {
      if (info.has(key)) sink.add("validation", "dext-forbidden-key", M.kOSKextDiagnosticInfoKeyIneligibleForDriverKit(key), undefined, key);
    }
  }
  checkProperty(sink, info.get("OSBundleAllowUserLoad"), "OSBundleAllowUserLoad", "boolean");

  if (!isDext) checkLibraries(sink, kext, arch);
  checkPersonalities(sink, kext, arch);
  checkExecutable(sink, kext, arch);
  checkStrayBuildVariables(sink, kext);
  return sink.items;
}

function checkLibraries(sink: DiagnosticSink, kext: OSKext, arch: string): void {
  const key = kext.infoKeyUsed("OSBundleLibraries", arch);
  const value = kext.infoValue("OSBundleLibraries", arch);
  if (kext.isKernelComponent) {
    if (value !== undefined) sink.add("validation", "system-kext-property", M.kOSKextDiagnosticBadSystemPropertyKey, key, key);
    return;
  }
  const needsLibraries = kext.declaresExecutable;
  if (!checkProperty(sink, value, key, "dict", { required: needsLibraries, nonEmpty: needsLibraries })) return;
  const libs = value as Map<string, OSValue>;
  if (!kext.declaresExecutable && !kext.isLibrary && libs.size > 0) {
    sink.add("warnings", "codeless-with-libraries", M.kOSKextDiagnosticCodelessWithLibrariesKey);
  }
  let kernel = false;
  let kpi = false;
  for (const [libID, req] of libs) {
    const path = `${key}.${libID}`;
    const idNote = placeholderNote(libID);
    if (idNote !== undefined) {
      sink.add("validation", "build-variable", M.kOSKextDiagnosticPropertyIsIllegalValueKey, `${path} - ${idNote}`, path);
    }
    if (libID.startsWith("com.apple.kernel")) kernel = true;
    if (libID.startsWith("com.apple.kpi.")) kpi = true;
    if (!checkProperty(sink, req, path, "string", { required: true })) continue;
    if (OSKextParseVersionString(req as string) < 0n) {
      const note = placeholderNote(req as string, true);
      sink.add("validation", note ? "build-variable" : "illegal-value", M.kOSKextDiagnosticPropertyIsIllegalValueKey,
        note ? `${path} - ${note}` : path, path);
    }
  }
  if (kernel && kpi) sink.add("warnings", "kernel-and-kpi", M.kOSKextDiagnosticDeclaresBothKernelAndKPIDependenciesKey);
  if (kext.declaresExecutable && libs.size > 0 && !kpi && !kernel) {
    sink.add("warnings", "no-kpi", M.kOSKextDiagnosticDeclaresNoKPIsWarningKey);
  }
}

function checkPersonalities(sink: DiagnosticSink, kext: OSKext, arch: string): void {
  const key = kext.infoKeyUsed("IOKitPersonalities", arch);
  const value = kext.infoValue("IOKitPersonalities", arch);
  if (!checkProperty(sink, value, key, "dict")) return;
  for (const [name, p] of value as Map<string, OSValue>) {
    const path = `${key}.${name}`;
    if (!checkProperty(sink, p, path, "dict")) continue;
    const personality = p as Map<string, OSValue>;
    checkProperty(sink, personality.get("IOKitDebug"), `${path}.IOKitDebug`, "integer");
    const pid = personality.get("CFBundleIdentifier");
    if (pid === undefined) {
      sink.add("warnings", "personality-no-bundle-id", M.kOSKextDiagnosticPersonalityHasNoBundleIdentifierKey, name, path);
    } else if (checkProperty(sink, pid, `${path}.CFBundleIdentifier`, "string") && kext.bundleID !== undefined && pid !== kext.bundleID) {
      sink.add("warnings", "personality-different-bundle-id", M.kOSKextDiagnosticPersonalityHasDifferentBundleIdentifierKey, name, path);
    }
    const ioClass = personality.get("IOClass");
    checkProperty(sink, ioClass, `${path}.IOClass`, "string", { required: true, nonEmpty: true });
    const provider = personality.get("IOProviderClass");
    checkProperty(sink, provider, `${path}.IOProviderClass`, "string", { required: true, nonEmpty: true });
    const category = personality.get("IOMatchCategory");
    if (provider === "IOResources" && category !== undefined && category !== ioClass) {
      sink.add("warnings", "ioresources-match-category", M.kOSKextDiagnosticNonuniqueIOResourcesMatchKey, name, path);
    }
    checkProperty(sink, personality.get("IOProbeScore"), `${path}.IOProbeScore`, "integer", { typeRequired: false });
    if (kext.info?.get("CFBundlePackageType") === "DEXT" && !personality.has("CFBundleIdentifierKernel")) {
      sink.add("validation", "dext-no-kernel-bundle", M.kOSKextDiagnosticMissingDesignatedKernelClass, name, path);
    }
  }
}

function checkExecutable(sink: DiagnosticSink, kext: OSKext, arch: string): void {
  const exe = kext.executable;
  if (exe === undefined || kext.isKernelComponent) return;
  if (!exe.found) {
    const name = kext.info?.get("CFBundleExecutable");
    // A name that is itself a placeholder was already reported; the file's absence follows from it.
    if (typeof name === "string" && findBuildVariables(name).length > 0) return;
    sink.add("validation", "executable-missing", M.kOSKextDiagnosticExecutableMissingKey, undefined, "CFBundleExecutable");
    return;
  }
  // A dext's executable is a user-space program, not kernel code: only its presence is checked.
  if (kext.info?.get("CFBundlePackageType") === "DEXT") return;
  const inspected = exe.macho;
  if (exe.kind === "unrecognized" || (inspected !== undefined && (inspected.malformed !== undefined || inspected.kextCodeArchs.length === 0))) {
    sink.add("validation", "executable-bad", M.kOSKextDiagnosticExecutableBadKey, undefined, "CFBundleExecutable");
  } else if (exe.kind === "macho" && !(inspected?.kextCodeArchs ?? exe.archs).includes(arch)) {
    sink.add("warnings", "executable-arch-missing", M.kOSKextDiagnosticExecutableArchNotFoundKey, undefined, "CFBundleExecutable");
  }
}

/** Keys whose values the checks above already judge; placeholders elsewhere only warrant a warning. */
const JUDGED = new Set(["CFBundlePackageType", "CFBundleIdentifier", "CFBundleVersion", "OSBundleCompatibleVersion", "CFBundleExecutable", "OSBundleRequired"]);

function checkStrayBuildVariables(sink: DiagnosticSink, kext: OSKext): void {
  const info = kext.info;
  if (info === undefined) return;
  // Property paths deeper than this are not followed: no real Info.plist nests that far, and a
  // hostile one must not make us build megabyte-long subjects.
  const MAX_DEPTH = 32;
  const stack: Array<[string, OSValue, number]> = [];
  for (const [k, v] of info) {
    if (JUDGED.has(k) || k.startsWith("OSBundleLibraries")) continue;
    stack.push([k, v, 1]);
  }
  while (stack.length > 0) {
    const [path, v, depth] = stack.pop() as [string, OSValue, number];
    if (typeof v === "string") {
      if (findBuildVariables(v).length > 0) {
        sink.add("warnings", "build-variable", M.kIOKitTSBuildVariableKey, `${path} - ${v}`, path);
      }
    } else if (depth < MAX_DEPTH && isOSDictionary(v)) {
      for (const [k, c] of v) stack.push([`${path}.${k}`, c, depth + 1]);
    } else if (depth < MAX_DEPTH && kindOf(v) === "array") {
      (v as OSValue[]).forEach((c, i) => stack.push([`${path}.${i}`, c, depth + 1]));
    }
  }
}
