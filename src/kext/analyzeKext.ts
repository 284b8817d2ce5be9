/**
 * The whole user-space verdict on a kext, in the order `kextutil`'s `runTestsOnKext` takes it:
 * validate; authenticate; resolve dependencies, then validate and authenticate those; with safe
 * boot, check boot-level eligibility. Our qualification checklist adds warnings. The result is data:
 * every diagnostic plus the resolution and the load list, for a tool to print.
 *
 * A {@link KextAnalyzer} holds one {@link KextSet} and caches per-kext validation, authentication and
 * resolution, so analysing every kext of a large folder costs each kext's checks once.
 */
import { isOSDictionary, kindOf, type OSNumber } from "../libkern/index.ts";
import { authenticateKext } from "./authenticateKext.ts";
import { KextDiagnostics, type KextDiagnostic } from "./KextDiagnostic.ts";
import * as M from "./kextDiagnosticMessages.ts";
import type { KextSet } from "./KextSet.ts";
import { DEFAULT_KEXT_ARCH, type OSKext } from "./OSKext.ts";
import { qualifyKext } from "./qualifyKext.ts";
import { DependencyResolver, type KextResolution } from "./resolveDependencies.ts";
import { validateKext } from "./validateKext.ts";

export interface AnalyzeKextOptions {
  readonly arch?: string;
  /** `-x`: judge loadability during safe boot. */
  readonly safeBoot?: boolean;
  /** `-z`: skip authentication (ownership and modes). */
  readonly skipAuthentication?: boolean;
  /** `-Z`: skip dependency resolution. */
  readonly skipDependencies?: boolean;
  /** Run the WWDC qualification checklist (default true). */
  readonly qualify?: boolean;
}

export interface KextAnalysis {
  readonly kext: OSKext;
  readonly diagnostics: readonly KextDiagnostic[];
  readonly resolution: KextResolution | undefined;
  /** Libraries first, the kext last; empty when dependencies do not resolve. */
  readonly loadList: readonly OSKext[];
  /** No validation, authentication or dependency failure (nor boot-level one in safe boot). */
  readonly loadable: boolean;
  readonly safeBootLoadable: boolean;
  readonly hasDebugProperties: boolean;
}

/** `OSBundleRequired` values that make a kext loadable during safe boot. */
const SAFE_BOOT_VALUES = ["Root", "Local-Root", "Network-Root", "Safe Boot", "Console"];

/** True when the kext may load during safe boot (`OSKextIsLoadableInSafeBoot`). */
export function isLoadableInSafeBoot(kext: OSKext): boolean {
  return kext.isKernelComponent || SAFE_BOOT_VALUES.includes(kext.bundleRequired ?? "");
}

/** True when the kext asks for extra logging (`OSKextHasLogOrDebugFlags`). */
export function hasLogOrDebugFlags(kext: OSKext, arch: string = DEFAULT_KEXT_ARCH): boolean {
  if (kext.info?.get("OSBundleEnableKextLogging") === true) return true;
  for (const p of kext.personalities(arch).values()) {
    if (!isOSDictionary(p)) continue;
    const d = p.get("IOKitDebug");
    if (d !== undefined && kindOf(d) === "integer" && (d as OSNumber).value !== 0n) return true;
  }
  return false;
}

export class KextAnalyzer {
  readonly set: KextSet;
  readonly options: AnalyzeKextOptions;
  readonly resolver: DependencyResolver;
  readonly #validation = new Map<OSKext, KextDiagnostic[]>();
  readonly #authentication = new Map<OSKext, KextDiagnostic[]>();

  constructor(set: KextSet, options: AnalyzeKextOptions = {}) {
    this.set = set;
    this.options = options;
    this.resolver = new DependencyResolver(set, options.arch ?? DEFAULT_KEXT_ARCH);
  }

  get arch(): string {
    return this.options.arch ?? DEFAULT_KEXT_ARCH;
  }

  /** Validation diagnostics of one kext (cached). */
  validation(kext: OSKext): KextDiagnostic[] {
    let v = this.#validation.get(kext);
    if (v === undefined) {
      v = validateKext(kext, { arch: this.arch });
      this.#validation.set(kext, v);
    }
    return v;
  }

  /** Authentication diagnostics of one kext (cached). */
  authentication(kext: OSKext): KextDiagnostic[] {
    let a = this.#authentication.get(kext);
    if (a === undefined) {
      a = authenticateKext(kext);
      this.#authentication.set(kext, a);
    }
    return a;
  }

  analyze(kext: OSKext): KextAnalysis {
    const o = this.options;
    const diags = new KextDiagnostics();
    diags.addAll(this.validation(kext));
    if (!o.skipAuthentication) diags.addAll(this.authentication(kext));
    let resolution: KextResolution | undefined;
    let loadList: OSKext[] = [];
    if (!o.skipDependencies && kext.info !== undefined) {
      resolution = this.resolver.resolve(kext);
      diags.addAll(resolution.diagnostics);
      const closure = this.#closure(kext);
      for (const dep of closure) {
        const subject = dep.bundleID ?? dep.path;
        if (this.validation(dep).some((d) => d.category === "validation")) {
          diags.add({ category: "dependencies", code: "dependency-invalid", path: kext.path, message: M.kOSKextDependencyInvalid, subject });
        }
        if (!o.skipAuthentication && this.authentication(dep).length > 0) {
          diags.add({ category: "dependencies", code: "dependency-inauthentic", path: kext.path, message: M.kOSKextDependencyInauthentic, subject });
        }
      }
      if (o.safeBoot) {
        for (const dep of closure) {
          if (!isLoadableInSafeBoot(dep)) {
            diags.add({ category: "bootLevel", code: "dependency-safe-boot", path: kext.path, message: M.kOSKextDependencyIneligibleInSafeBoot, subject: dep.bundleID ?? dep.path });
          }
        }
      }
      loadList = this.resolver.loadList(kext);
    }
    if (o.safeBoot && !isLoadableInSafeBoot(kext)) {
      diags.add({ category: "bootLevel", code: "safe-boot", path: kext.path, message: M.kOSKextDiagnosticIneligibleInSafeBoot });
    }
    diags.addAll(this.#personalityReferences(kext));
    if (o.qualify !== false) diags.addAll(qualifyKext(kext, { arch: this.arch, set: this.set }));
    const loadable = !diags.hasFailures() && !(o.safeBoot && diags.has("bootLevel"));
    return {
      kext, diagnostics: diags.list(), resolution, loadList: loadable ? loadList : [], loadable,
      safeBootLoadable: isLoadableInSafeBoot(kext), hasDebugProperties: hasLogOrDebugFlags(kext, this.arch),
    };
  }

  /** Every kext reachable through resolved library edges (not the kext itself). */
  #closure(kext: OSKext): OSKext[] {
    const out: OSKext[] = [];
    const seen = new Set<OSKext>([kext]);
    const stack = [kext];
    while (stack.length > 0) {
      const k = stack.pop() as OSKext;
      for (const e of this.resolver.resolve(k).edges) {
        if (e.target !== undefined && !seen.has(e.target)) {
          seen.add(e.target);
          out.push(e.target);
          stack.push(e.target);
        }
      }
    }
    return out;
  }

  /** Personalities naming another bundle: is it known, and does it have code? (`OSKextValidate`.) */
  #personalityReferences(kext: OSKext): KextDiagnostic[] {
    const out: KextDiagnostic[] = [];
    for (const [name, p] of kext.personalities(this.arch)) {
      if (!isOSDictionary(p)) continue;
      const pid = p.get("CFBundleIdentifier");
      if (typeof pid !== "string" || pid === kext.bundleID) continue;
      const targets = this.set.withIdentifier(pid);
      const subject = `'${name}' -> '${pid}'`;
      if (targets.length === 0) {
        out.push({ category: "warnings", code: "personality-unknown-kext", path: kext.path, message: M.kOSKextDiagnosticPersonalityNamesUnknownKextKey, subject });
      } else if (!(targets[0] as OSKext).declaresExecutable) {
        out.push({ category: "warnings", code: "personality-codeless-kext", path: kext.path, message: M.kOSKextDiagnosticPersonalityNamesKextWithNoExecutableKey, subject });
      }
    }
    return out;
  }
}
