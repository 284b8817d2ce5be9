/**
 * The user-space kext object: one bundle on disk, its parsed info dictionary, its files and its
 * executable, with the derived facts every later stage asks for (identifier, version, compatible
 * version, library or not, kernel component or not, libraries per architecture).
 *
 * An OSKext is immutable once read ({@link readKext} builds it). Problems met while reading —
 * an unreadable or unparseable Info.plist, a missing executable — are kept as diagnostics on the
 * object rather than thrown, so a folder of broken kexts still yields one verdict per kext.
 *
 * Architecture-specific keys: for keys that start with `OS` or `IO`, `<Key>_<arch>` (for example
 * `OSBundleLibraries_x86_64`) wins over `<Key>`; `CFBundle*` keys are never looked up per arch.
 */
import {
  OSKextParseVersionString, isOSDictionary, type OSDictionary, type OSKextVersion, type OSValue,
} from "../libkern/index.ts";
import type { BundleFileStat } from "./BundleSource.ts";
import type { KextDiagnostic } from "./KextDiagnostic.ts";
import type { KextMachOInspection } from "./inspectKextExecutable.ts";
import type { KextExecutableKind } from "./kextExecutable.ts";

/** One entry inside a bundle, relative to the bundle (`""` is the bundle directory itself). */
export interface KextBundleFile {
  readonly relativePath: string;
  readonly stat: BundleFileStat;
}

/** The executable a kext declares and what was found. */
export interface KextExecutable {
  /** Path relative to the bundle, e.g. `Contents/MacOS/Foo`. */
  readonly relativePath: string;
  readonly found: boolean;
  readonly kind: KextExecutableKind["kind"] | undefined;
  readonly archs: readonly string[];
  /** For a Mach-O read with inspection on: kernel-code slices, signature, symbol audit. */
  readonly macho?: KextMachOInspection;
}

/** The architecture a kext is evaluated for by default. */
export const DEFAULT_KEXT_ARCH = "x86_64";

export class OSKext {
  /** The bundle's path, as given (no trailing slash). */
  readonly path: string;
  /** `deep` (`Contents/Info.plist`, macOS) or `shallow` (`Info.plist` at the top). */
  readonly layout: "deep" | "shallow";
  /** The parsed info dictionary, with placeholders substituted; undefined when unusable. */
  readonly info: OSDictionary | undefined;
  /** Every file and directory in the bundle, plug-ins' contents excluded. */
  readonly files: readonly KextBundleFile[];
  readonly executable: KextExecutable | undefined;
  /** Kexts in `Contents/PlugIns` (one level: plug-ins' own plug-ins are not read). */
  readonly plugins: readonly OSKext[];
  /** The containing kext's path for a plug-in. */
  readonly parentPath: string | undefined;
  /** Problems met while reading the bundle (file access, XML, executable presence). */
  readonly readDiagnostics: readonly KextDiagnostic[];

  readonly bundleID: string | undefined;
  readonly version: OSKextVersion;
  readonly compatibleVersion: OSKextVersion;

  constructor(init: {
    path: string; layout: "deep" | "shallow"; info: OSDictionary | undefined; files: readonly KextBundleFile[];
    executable: KextExecutable | undefined; plugins: readonly OSKext[]; parentPath: string | undefined;
    readDiagnostics: readonly KextDiagnostic[];
  }) {
    this.path = init.path;
    this.layout = init.layout;
    this.info = init.info;
    this.files = init.files;
    this.executable = init.executable;
    this.plugins = init.plugins;
    this.parentPath = init.parentPath;
    this.readDiagnostics = init.readDiagnostics;
    const id = this.info?.get("CFBundleIdentifier");
    this.bundleID = typeof id === "string" ? id : undefined;
    this.version = parseVersionValue(this.info?.get("CFBundleVersion"));
    const compat = this.info?.get("OSBundleCompatibleVersion");
    this.compatibleVersion = compat === undefined ? 0n : parseVersionValue(compat);
  }

  /** An info-dictionary value, arch-specific first for `OS*`/`IO*` keys. */
  infoValue(key: string, arch: string = DEFAULT_KEXT_ARCH): OSValue | undefined {
    if (this.info === undefined) return undefined;
    if (key.startsWith("OS") || key.startsWith("IO")) {
      const specific = this.info.get(`${key}_${arch}`);
      if (specific !== undefined) return specific;
    }
    return this.info.get(key);
  }

  /** The key actually used for `key` under `arch` (`OSBundleLibraries_x86_64` or `OSBundleLibraries`). */
  infoKeyUsed(key: string, arch: string = DEFAULT_KEXT_ARCH): string {
    if ((key.startsWith("OS") || key.startsWith("IO")) && this.info?.has(`${key}_${arch}`)) return `${key}_${arch}`;
    return key;
  }

  /** A library: declares a valid compatible version (user space's rule: compatible version > 0). */
  get isLibrary(): boolean {
    return this.compatibleVersion > 0n;
  }

  /** `OSKernelResource` is exactly true: a pseudo-kext standing for part of the kernel. */
  get isKernelComponent(): boolean {
    return this.info?.get("OSKernelResource") === true;
  }

  /** An interface kext; kernel components always are. */
  get isInterface(): boolean {
    return this.isKernelComponent || this.info?.get("OSBundleIsInterface") === true;
  }

  /** A non-empty string `CFBundleExecutable`. */
  get declaresExecutable(): boolean {
    const e = this.info?.get("CFBundleExecutable");
    return typeof e === "string" && e.length > 0;
  }

  /** The `OSBundleLibraries` dictionary for `arch` (empty when absent or of the wrong type). */
  libraries(arch: string = DEFAULT_KEXT_ARCH): ReadonlyMap<string, OSValue> {
    const v = this.infoValue("OSBundleLibraries", arch);
    return isOSDictionary(v) ? v : new Map();
  }

  /** The `IOKitPersonalities` dictionary for `arch` (empty when absent or of the wrong type). */
  personalities(arch: string = DEFAULT_KEXT_ARCH): ReadonlyMap<string, OSValue> {
    const v = this.infoValue("IOKitPersonalities", arch);
    return isOSDictionary(v) ? v : new Map();
  }

  /** `OSBundleRequired` when it is a string. */
  get bundleRequired(): string | undefined {
    const v = this.info?.get("OSBundleRequired");
    return typeof v === "string" ? v : undefined;
  }

  /** `<id> (<version string>)`-style label for messages. */
  get label(): string {
    return this.bundleID ?? this.path;
  }
}

/** Parses a version property; non-strings are invalid (-1), absence is missing (0). */
export function parseVersionValue(v: OSValue | undefined): OSKextVersion {
  if (v === undefined) return 0n;
  if (typeof v !== "string") return -1n;
  return OSKextParseVersionString(v);
}
