/**
 * Dependency resolution, user-space flavour (`OSKextResolveDependencies`).
 *
 * Each `OSBundleLibraries` entry (`<library id>` → `<requested version>`, arch-specific key first)
 * picks the highest-versioned kext with that identifier whose `[OSBundleCompatibleVersion,
 * CFBundleVersion]` range holds the request. User space enforces the lower bound; the kernel does
 * not. A kext resolves when every library is found and compatible and every library resolves in
 * turn; the failures are recorded in Apple's "Dependency Resolution Failures" form, keyed by the
 * library identifiers concerned.
 *
 * State: a {@link DependencyResolver} memoises per-kext results over one {@link KextSet}. The walk
 * is an explicit-stack depth-first search (a chain of thousands of kexts cannot overflow the call
 * stack); an edge back to a kext still on the stack is a cycle. The load list is the post-order of
 * that walk: every library before the kexts that link against it.
 */
import { OSKextIsCompatibleWithVersion, OSKextParseVersionString, type OSKextVersion } from "../libkern/index.ts";
import type { KextDiagnostic } from "./KextDiagnostic.ts";
import * as M from "./kextDiagnosticMessages.ts";
import type { KextSet } from "./KextSet.ts";
import { DEFAULT_KEXT_ARCH, type OSKext } from "./OSKext.ts";

/** Why one library entry did not resolve. */
export type DependencyFailure =
  | "invalid-version" | "not-found" | "incompatible" | "no-compatible-version" | "circular" | "indirect";

/** One `OSBundleLibraries` entry and what it resolved to. */
export interface DependencyEdge {
  readonly libraryID: string;
  /** The requested version string as written (or the value's kind when not a string). */
  readonly requested: string;
  readonly requestedVersion: OSKextVersion;
  /** The kext chosen, when one was found compatible. */
  readonly target: OSKext | undefined;
  /** Set when the entry (or what it leads to) fails. */
  readonly failure: DependencyFailure | undefined;
  /** The candidates that were considered (all kexts with the identifier). */
  readonly candidates: readonly OSKext[];
}

/** The outcome for one kext. */
export interface KextResolution {
  readonly kext: OSKext;
  readonly ok: boolean;
  readonly edges: readonly DependencyEdge[];
  /** Dependency-category diagnostics, Apple's messages with library identifiers as subjects. */
  readonly diagnostics: readonly KextDiagnostic[];
}

const FAILURE_MESSAGES: Readonly<Record<Exclude<DependencyFailure, "invalid-version">, string>> = {
  "not-found": M.kOSKextDependencyUnavailable,
  incompatible: M.kOSKextDependencyNoCompatibleVersion,
  "no-compatible-version": M.kOSKextDependencyCompatibleVersionUndeclared,
  circular: M.kOSKextDependencyCircularReference,
  indirect: M.kOSKextDependencyIndirectDependencyUnresolvable,
};

interface Pending {
  edges: DependencyEdge[];
}

/** Resolves kexts against one set, memoising results. */
export class DependencyResolver {
  readonly set: KextSet;
  readonly arch: string;
  readonly #done = new Map<OSKext, KextResolution>();
  readonly #direct = new Map<OSKext, Pending>();
  readonly #multiChecked = new Set<OSKext>();

  constructor(set: KextSet, arch: string = DEFAULT_KEXT_ARCH) {
    this.set = set;
    this.arch = arch;
  }

  /** Resolves `kext` and everything it needs. */
  resolve(kext: OSKext): KextResolution {
    this.#walk(kext);
    if (!this.#multiChecked.has(kext)) {
      this.#multiChecked.add(kext);
      if ((this.#done.get(kext) as KextResolution).ok) this.#checkMultipleVersions(kext);
    }
    return this.#done.get(kext) as KextResolution;
  }

  #walk(kext: OSKext): void {
    if (this.#done.has(kext)) return;
    const onStack = new Set<OSKext>();
    const stack: Array<{ kext: OSKext; next: number }> = [{ kext, next: 0 }];
    onStack.add(kext);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as { kext: OSKext; next: number };
      const edges = this.#directEdges(frame.kext).edges;
      if (frame.next < edges.length) {
        const target = (edges[frame.next] as DependencyEdge).target;
        frame.next++;
        if (target !== undefined && !this.#done.has(target) && !onStack.has(target)) {
          onStack.add(target);
          stack.push({ kext: target, next: 0 });
        }
        continue;
      }
      stack.pop();
      this.#finish(frame.kext, onStack);
      onStack.delete(frame.kext);
    }
  }

  /** Kexts in load order for `kext`: libraries first, `kext` last (empty when it does not resolve). */
  loadList(kext: OSKext): OSKext[] {
    if (!this.resolve(kext).ok) return [];
    return this.#postOrder(kext);
  }

  #postOrder(kext: OSKext): OSKext[] {
    const out: OSKext[] = [];
    const seen = new Set<OSKext>();
    const stack: Array<{ kext: OSKext; next: number }> = [{ kext, next: 0 }];
    seen.add(kext);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as { kext: OSKext; next: number };
      const edges = (this.#done.get(frame.kext) as KextResolution).edges;
      if (frame.next < edges.length) {
        const t = (edges[frame.next++] as DependencyEdge).target;
        if (t !== undefined && !seen.has(t)) {
          seen.add(t);
          stack.push({ kext: t, next: 0 });
        }
        continue;
      }
      stack.pop();
      out.push(frame.kext);
    }
    return out;
  }

  #directEdges(kext: OSKext): Pending {
    const cached = this.#direct.get(kext);
    if (cached !== undefined) return cached;
    const edges: DependencyEdge[] = [];
    if (!kext.isKernelComponent) {
      for (const [libraryID, value] of kext.libraries(this.arch)) {
        const requested = typeof value === "string" ? value : `<${typeof value}>`;
        const requestedVersion = typeof value === "string" ? OSKextParseVersionString(value) : -1n;
        const candidates = this.set.withIdentifier(libraryID);
        let target: OSKext | undefined;
        let failure: DependencyFailure | undefined;
        if (requestedVersion < 0n) {
          failure = "invalid-version";
        } else if (candidates.length === 0) {
          failure = "not-found";
        } else {
          target = candidates.find((c) => OSKextIsCompatibleWithVersion(c.version, c.compatibleVersion, requestedVersion));
          if (target === undefined) failure = candidates.every((c) => c.compatibleVersion <= 0n) ? "no-compatible-version" : "incompatible";
        }
        edges.push({ libraryID, requested, requestedVersion, target, failure, candidates });
      }
    }
    const pending = { edges };
    this.#direct.set(kext, pending);
    return pending;
  }

  #finish(kext: OSKext, onStack: ReadonlySet<OSKext>): void {
    const diags: KextDiagnostic[] = [];
    const add = (message: string, subject?: string): void => {
      diags.push({ category: "dependencies", code: "dependencies", path: kext.path, message, ...(subject !== undefined ? { subject } : {}) });
    };
    let ok = true;
    const edges = this.#directEdges(kext).edges.map((e): DependencyEdge => {
      if (e.failure !== undefined) {
        ok = false;
        if (e.failure !== "invalid-version") add(FAILURE_MESSAGES[e.failure], e.libraryID);
        return e;
      }
      const t = e.target as OSKext;
      // The kext itself and its unfinished ancestors are on the stack: an edge to one closes a loop.
      if (onStack.has(t)) {
        ok = false;
        add(M.kOSKextDependencyCircularReference, e.libraryID);
        return { ...e, failure: "circular" };
      }
      const r = this.#done.get(t);
      if (r !== undefined && !r.ok) {
        ok = false;
        add(M.kOSKextDependencyIndirectDependencyUnresolvable, e.libraryID);
        return { ...e, failure: "indirect" };
      }
      return e;
    });
    if (!kext.isKernelComponent) {
      const ids = edges.map((e) => e.libraryID);
      if (ids.includes("com.apple.kernel")) {
        ok = false;
        add(M.kOSKextDiagnosticRawKernelDependency);
      }
      if (ids.some((id) => id.startsWith("com.apple.kernel.")) && is64Bit(this.arch)) {
        ok = false;
        add(M.kOSKextDiagnosticDeclaresNonKPIDependenciesKey);
      }
      if (ids.includes("com.apple.kpi.private") && !(kext.bundleID ?? "").startsWith("com.apple.")) {
        ok = false;
        add(M.kOSKextDiagnosticNonAppleKextDeclaresPrivateKPIDependencyKey);
      }
      if (kext.isInterface && edges.length !== 1) {
        ok = false;
        add(M.kOSKextDiagnosticsInterfaceDependencyCount);
      }
    }
    this.#done.set(kext, { kext, ok, edges, diagnostics: diags });
  }

  /** Two kexts with one identifier in a resolved graph make it ambiguous: a failure for the root. */
  #checkMultipleVersions(kext: OSKext): void {
    const seen = new Map<string, OSKext>();
    const dupes = new Set<string>();
    for (const k of this.#postOrder(kext)) {
      const id = k.bundleID;
      if (id === undefined) continue;
      const prior = seen.get(id);
      if (prior !== undefined && prior !== k) dupes.add(id);
      seen.set(id, k);
    }
    if (dupes.size === 0) return;
    const r = this.#done.get(kext) as KextResolution;
    const extra = [...dupes].map((id): KextDiagnostic => ({
      category: "dependencies", code: "dependencies", path: kext.path, message: M.kOSKextDependencyMultipleVersionsDetected, subject: id,
    }));
    this.#done.set(kext, { ...r, ok: false, diagnostics: [...r.diagnostics, ...extra] });
  }
}

function is64Bit(arch: string): boolean {
  return arch === "x86_64" || arch.startsWith("arm64") || arch === "ppc64";
}
