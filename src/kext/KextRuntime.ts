/**
 * The kernel side of OSKext: loading kexts into an {@link IOKernel}, load tags, dependency
 * references, start/stop, personalities, explicit unload and autounload (spec §4.4–4.5).
 *
 * State. `#loaded` is the loaded list in load order; each {@link LoadedKext} has a load tag from a
 * counter that never goes back (the kernel itself is tag 0, `__kernel__`; kernel components take
 * the next tags at boot, as the prelinked ones do), the loaded kexts it links against, and a
 * reference count made of its dependents plus explicit retains (`OSKextRetainKextWithLoadTag`) —
 * what kextstat's "Refs" column shows. A kext with references cannot be unloaded.
 *
 * Executables. A kext's code is a JavaScript module (see `kextExecutable.ts`), fetched by the
 * injected {@link KextModuleLoader}. The module's classes become the kext's classes: every named
 * export that derives from `OSObject` is defined under its export name with the kext as kmod, and a
 * `defineClasses(kpi)` export may build classes from the kernel API it is given (linking, in
 * effect). Optional `start()` / `stop()` exports return 0 (KERN_SUCCESS) or an error. Mach-O code
 * cannot run here: loading one fails with kOSKextReturnLinkError.
 *
 * Matching calls {@link KextRuntime.loadKextForMatching} synchronously; the load runs on the
 * kernel's scheduler and ends with `moduleHasLoaded`, which resumes the stalled nubs.
 */
import { IOReturnError, kIOReturnSuccess, kOSKextReturn, type IOReturn } from "../base/index.ts";
import * as kpi from "../kernel/index.ts";
import { OSMetaClass, type IOKernel, type KextLoader } from "../kernel/index.ts";
import { OSKextVersionGetString, type OSKextVersion } from "../libkern/index.ts";
import { KextAnalyzer } from "./analyzeKext.ts";
import { buildPersonalityCache } from "./kextCache.ts";
import type { KextSet } from "./KextSet.ts";
import type { OSKext } from "./OSKext.ts";

/** Fetches a kext's JavaScript executable as a module namespace. */
export type KextModuleLoader = (kext: OSKext) => Promise<Record<string, unknown>>;

/** One loaded kext, as kextstat sees it. */
export interface LoadedKext {
  readonly tag: number;
  readonly bundleID: string;
  readonly version: OSKextVersion;
  readonly kext: OSKext | undefined;
  /** Load tags of the loaded kexts it links against. */
  readonly dependencyTags: readonly number[];
  readonly isKernelComponent: boolean;
  /** Dependents plus explicit retains (kextstat's Refs). */
  readonly refs: number;
  readonly started: boolean;
  /** Classes this kext defined. */
  readonly classes: readonly string[];
}

interface Entry {
  tag: number;
  bundleID: string;
  version: OSKextVersion;
  kext: OSKext | undefined;
  dependencies: Entry[];
  isKernelComponent: boolean;
  dependents: number;
  retains: number;
  started: boolean;
  classes: string[];
  module: Record<string, unknown> | undefined;
  autounload: boolean;
  delayAutounload: boolean;
}

export interface LoadOptions {
  /** Start matching with the kext's personalities (default true). */
  readonly startMatching?: boolean;
  /** Send the personalities at all (default true; a load asked for by matching does not). */
  readonly sendPersonalities?: boolean;
}

export interface KextRuntimeOptions {
  readonly arch?: string;
  /** Loading refused with kOSKextReturnDisabled. */
  readonly loadsDisabled?: boolean;
  readonly safeBoot?: boolean;
}

/** `sConsiderUnloadDelay`: seconds between the registry going quiet and an autounload scan. */
export const kConsiderUnloadDelaySeconds = 60;

const isOSObjectClass = (v: unknown): v is kpi.OSClassConstructor =>
  typeof v === "function" && v.prototype instanceof kpi.OSObject;

/** Runs a module's `start`/`stop` routine when it has one; true for KERN_SUCCESS (0 or no value). */
function callModuleRoutine(module: Record<string, unknown> | undefined, name: "start" | "stop"): boolean {
  const fn = module?.[name];
  if (typeof fn !== "function" || isOSObjectClass(fn)) return true;
  try {
    const rc: unknown = (fn as () => unknown)();
    return rc === 0 || rc === undefined;
  } catch {
    return false;
  }
}

export class KextRuntime implements KextLoader {
  readonly set: KextSet;
  readonly #moduleLoader: KextModuleLoader;
  readonly #options: KextRuntimeOptions;
  readonly #analyzer: KextAnalyzer;
  readonly #loaded: Entry[] = [];
  #nextTag = 1;
  #kernel: IOKernel | undefined;
  readonly #inFlight = new Map<string, Promise<IOReturn>>();

  constructor(set: KextSet, moduleLoader: KextModuleLoader, options: KextRuntimeOptions = {}) {
    this.set = set;
    this.#moduleLoader = moduleLoader;
    this.#options = options;
    this.#analyzer = new KextAnalyzer(set, { arch: options.arch, skipAuthentication: true, qualify: false });
  }

  /** Binds the kernel (which takes this runtime as its KextLoader) and registers the kernel components. */
  attachKernel(kernel: IOKernel): void {
    this.#kernel = kernel;
    this.#loaded.push(this.#entry(0, "__kernel__", 0n, undefined, true));
    for (const k of this.set.all()) {
      if (k.isKernelComponent && k.bundleID !== undefined && !this.#find(k.bundleID)) {
        const e = this.#entry(this.#nextTag++, k.bundleID, k.version, k, true);
        e.started = true;
        this.#loaded.push(e);
      }
    }
  }

  get kernel(): IOKernel {
    if (this.#kernel === undefined) throw new IOReturnError(kOSKextReturn.InternalError as number, "KextRuntime has no kernel attached");
    return this.#kernel;
  }

  /** Loaded kexts in load-tag order. */
  loadedKexts(): LoadedKext[] {
    return this.#loaded.map((e) => ({
      tag: e.tag, bundleID: e.bundleID, version: e.version, kext: e.kext, dependencyTags: e.dependencies.map((d) => d.tag),
      isKernelComponent: e.isKernelComponent, refs: e.dependents + e.retains, started: e.started, classes: [...e.classes],
    }));
  }

  /** KextLoader: a personality needs a class from `bundleId`; load it on the scheduler. */
  loadKextForMatching(bundleId: string): "loaded" | "pending" | "failed" {
    if (this.#find(bundleId)) return "loaded";
    if (this.set.withIdentifier(bundleId).length === 0) return "failed";
    void this.loadKextWithIdentifier(bundleId, { sendPersonalities: false }).finally(() => this.kernel.moduleHasLoaded(bundleId));
    return "pending";
  }

  /** Loads the highest version of `bundleId` (`OSKextLoadKextWithIdentifier`). */
  loadKextWithIdentifier(bundleId: string, options: LoadOptions = {}): Promise<IOReturn> {
    const kext = this.set.withIdentifier(bundleId)[0];
    if (kext === undefined) return Promise.resolve(this.#fail(bundleId, kOSKextReturn.NotFound as number));
    return this.load(kext, options);
  }

  /** `OSKext::load`: dependencies first (in load order), then this kext; resolves to an IOReturn. */
  load(kext: OSKext, options: LoadOptions = {}): Promise<IOReturn> {
    const id = kext.bundleID ?? kext.path;
    const pending = this.#inFlight.get(id);
    if (pending) return pending;
    const p = this.#load(kext, options.startMatching ?? true, options.sendPersonalities ?? true).finally(() => this.#inFlight.delete(id));
    this.#inFlight.set(id, p);
    return p;
  }

  async #load(kext: OSKext, startMatching: boolean, sendPersonalities: boolean): Promise<IOReturn> {
    const id = kext.bundleID ?? kext.path;
    if (this.#analyzer.validation(kext).some((d) => d.category === "validation")) return this.#fail(id, kOSKextReturn.NotLoadable as number);
    if (this.#options.loadsDisabled) return this.#fail(id, kOSKextReturn.Disabled as number);
    if (this.#options.safeBoot && !kext.isKernelComponent && !["Root", "Local-Root", "Network-Root", "Safe Boot", "Console"].includes(kext.bundleRequired ?? "")) {
      return this.#fail(id, kOSKextReturn.BootLevel as number);
    }
    if (!this.#analyzer.resolver.resolve(kext).ok) return this.#fail(id, kOSKextReturn.Dependencies as number);
    const order = this.#analyzer.resolver.loadList(kext);
    for (const dep of order.slice(0, -1)) {
      if (dep.declaresExecutable && !dep.isKernelComponent && !this.#find(dep.bundleID as string)) {
        const r = await this.#loadOne(dep, false);
        if (r !== kIOReturnSuccess) return this.#fail(id, kOSKextReturn.DependencyLoadError as number);
      }
    }
    const r = await this.#loadOne(kext, true);
    if (r !== kIOReturnSuccess) return r;
    if (sendPersonalities) this.#sendPersonalities(kext, startMatching);
    return kIOReturnSuccess;
  }

  /** Steps 2–8 for one kext whose dependencies are loaded. */
  async #loadOne(kext: OSKext, logLoaded: boolean): Promise<IOReturn> {
    const id = kext.bundleID as string;
    const existing = this.#find(id);
    if (existing) return existing.started ? kIOReturnSuccess : this.#start(existing);
    if (!kext.declaresExecutable) return kIOReturnSuccess; // codeless: no tag, personalities only
    if (kext.executable?.kind !== "javascript") return this.#fail(id, kOSKextReturn.LinkError as number);
    let module: Record<string, unknown>;
    try {
      module = await this.#moduleLoader(kext);
    } catch (e) {
      this.kernel.log(`Kext ${id} - executable failed to load: ${e instanceof Error ? e.message : String(e)}`);
      return this.#fail(id, kOSKextReturn.LinkError as number);
    }
    const deps = this.#analyzer.resolver.resolve(kext).edges
      .map((e) => (e.target?.bundleID !== undefined ? this.#find(e.target.bundleID) : undefined))
      .filter((e): e is Entry => e !== undefined);
    const entry = this.#entry(this.#nextTag++, id, kext.version, kext, false);
    entry.dependencies = deps;
    entry.module = module;
    try {
      this.#defineClasses(entry, module);
    } catch (e) {
      OSMetaClass.removeClasses(id);
      this.kernel.log(`Kext ${id} - ${e instanceof Error ? e.message : String(e)}`);
      return this.#fail(id, kOSKextReturn.LinkError as number);
    }
    for (const d of deps) d.dependents++;
    this.#loaded.push(entry);
    const r = this.#start(entry);
    if (r === kIOReturnSuccess && logLoaded) this.kernel.log(`Kext ${id} loaded.`);
    return r;
  }

  #defineClasses(entry: Entry, module: Record<string, unknown>): void {
    const classes: Array<[string, unknown]> = Object.entries(module);
    const factory = module.defineClasses;
    if (typeof factory === "function" && !isOSObjectClass(factory)) {
      classes.push(...Object.entries((factory as (api: typeof kpi) => Record<string, unknown>)(kpi) ?? {}));
    }
    for (const [name, value] of classes) {
      if (!isOSObjectClass(value)) continue;
      const meta = OSMetaClass.define(value, name, { kmodName: entry.bundleID });
      entry.classes.push(name);
      if (meta.isSubclassOf("IOService") && !entry.autounload) {
        entry.autounload = true;
        this.kernel.log(`Kext ${entry.bundleID} has IOService subclass ${name}; enabling autounload.`);
      }
    }
  }

  #start(entry: Entry): IOReturn {
    for (const d of entry.dependencies) {
      if (!d.started) {
        this.kernel.log(`Not starting ${entry.bundleID} - dependency ${d.bundleID} not started yet.`);
        return this.#fail(entry.bundleID, kOSKextReturn.StartStopError as number);
      }
    }
    if (!callModuleRoutine(entry.module, "start")) return this.#fail(entry.bundleID, kOSKextReturn.StartStopError as number);
    entry.started = true;
    return kIOReturnSuccess;
  }

  #sendPersonalities(kext: OSKext, startMatching: boolean): void {
    const personalities = buildPersonalityCache([kext], this.#options.arch);
    if (personalities.length > 0) this.kernel.addDrivers(personalities, startMatching);
  }

  /** `OSKextRetainKextWithLoadTag`: one more reference; enables autounload. */
  retainKextWithLoadTag(tag: number): IOReturn {
    if (tag === 0xffffffff) return kOSKextReturn.InvalidArgument as number;
    const e = this.#loaded.find((x) => x.tag === tag);
    if (!e) return kOSKextReturn.NotFound as number;
    e.retains++;
    e.autounload = true;
    return kIOReturnSuccess;
  }

  /** `OSKextReleaseKextWithLoadTag`: drops a reference and schedules an unload scan. */
  releaseKextWithLoadTag(tag: number): IOReturn {
    if (tag === 0xffffffff) return kOSKextReturn.InvalidArgument as number;
    const e = this.#loaded.find((x) => x.tag === tag);
    if (!e) return kOSKextReturn.NotFound as number;
    if (e.retains > 0) e.retains--;
    this.scheduleConsiderUnloads();
    return kIOReturnSuccess;
  }

  /** Schedules an autounload scan `sConsiderUnloadDelay` seconds from now on the kernel's clock. */
  scheduleConsiderUnloads(): void {
    this.kernel.scheduler.postAfter(kConsiderUnloadDelaySeconds * 1e9, () => { void this.considerUnloads(); }, "OSKext considerUnloads");
  }

  /**
   * The autounload pass: loaded kexts from last to first, repeated until nothing unloads. Skips
   * kexts with references, without autounload, kernel components, ones flagged `delayAutounload`
   * (once) and ones whose classes have instances. Personalities stay in the catalogue.
   */
  async considerUnloads(): Promise<string[]> {
    const unloaded: string[] = [];
    for (let again = true; again;) {
      again = false;
      for (let i = this.#loaded.length - 1; i >= 0; i--) {
        const e = this.#loaded[i] as Entry;
        if (e.isKernelComponent || !e.autounload || e.dependents + e.retains > 0) continue;
        if (e.delayAutounload) { e.delayAutounload = false; continue; }
        if (this.#busyClasses(e).length > 0) continue;
        if ((await this.#unload(e)) === kIOReturnSuccess) {
          unloaded.push(e.bundleID);
          again = true;
        }
      }
    }
    return unloaded;
  }

  /** Marks a loaded kext to be skipped by the next autounload pass. */
  delayAutounload(bundleId: string): void {
    const e = this.#find(bundleId);
    if (e) e.delayAutounload = true;
  }

  /**
   * `OSKext::removeKext(kext, terminateAndRemovePersonalities)` as `kextunload` uses it: terminate
   * the kext's services and remove its personalities (when asked), then unload.
   */
  async unloadKextWithIdentifier(bundleId: string, terminateAndRemovePersonalities = true): Promise<IOReturn> {
    const e = this.#find(bundleId);
    if (!e) return kOSKextReturn.NotFound as number;
    if (e.isKernelComponent) return kOSKextReturn.InvalidArgument as number;
    if (terminateAndRemovePersonalities) {
      if (e.dependents + e.retains > 0) return this.#refsError(e);
      // `terminateDriversForModule`: services whose CFBundleIdentifier property is the kext's. A
      // matching dictionary of that key alone would match every service (it is not a match key).
      const mine = this.kernel.registry.findByClass("IOService", { conforms: true })
        .filter((s): s is kpi.IOService => s instanceof kpi.IOService && !s.isInactive())
        .filter((s) => s.getProperty("CFBundleIdentifier") === bundleId || s.getKmodName() === bundleId);
      for (const s of mine) s.terminate();
      // A real-time kernel (the daemon) runs its own scheduler: wait for termination to finish
      // instead of re-entering the scheduler's run loop.
      if (this.kernel.scheduler.realTime) await this.kernel.platform.waitQuiet(30_000);
      else await this.kernel.runUntilIdle();
      this.kernel.removeDrivers(new Map([["CFBundleIdentifier", bundleId]]), false);
    }
    const r = await this.#unload(e);
    if (r === kIOReturnSuccess && terminateAndRemovePersonalities) this.kernel.removeDrivers(new Map([["CFBundleIdentifier", bundleId]]), true);
    return r;
  }

  async #unload(e: Entry): Promise<IOReturn> {
    if (e.dependents + e.retains > 0) return this.#refsError(e);
    const busy = this.#busyClasses(e);
    if (busy.length > 0) {
      this.kernel.log(`Can't unload kext ${e.bundleID}; classes have instances:\n${busy.map((m) => `    Kext ${e.bundleID} class ${m.className} has ${m.getInstanceCount()} instance${m.getInstanceCount() === 1 ? "" : "s"}.`).join("\n")}`);
      return kOSKextReturn.InUse as number;
    }
    if (!callModuleRoutine(e.module, "stop")) return kOSKextReturn.StartStopError as number;
    OSMetaClass.removeClasses(e.bundleID);
    this.#loaded.splice(this.#loaded.indexOf(e), 1);
    for (const d of e.dependencies) d.dependents--;
    this.kernel.log(`Kext ${e.bundleID} unloaded.`);
    return kIOReturnSuccess;
  }

  #busyClasses(e: Entry): OSMetaClass[] {
    // A superclass's count includes its subclasses' (xnu's rule), so other kexts' instances block too.
    return e.classes.map((c) => OSMetaClass.getMetaClassWithName(c)).filter((m): m is OSMetaClass => m !== undefined && m.getInstanceCount() > 0);
  }

  #refsError(e: Entry): IOReturn {
    this.kernel.log(`Can't unload kext ${e.bundleID}; outstanding references ${e.dependents + e.retains} (linkage or tracking object).`);
    return kOSKextReturn.InUse as number;
  }

  #find(bundleId: string): Entry | undefined {
    return this.#loaded.find((e) => e.bundleID === bundleId);
  }

  #entry(tag: number, bundleID: string, version: OSKextVersion, kext: OSKext | undefined, kernelComponent: boolean): Entry {
    return {
      tag, bundleID, version, kext, dependencies: [], isKernelComponent: kernelComponent, dependents: 0, retains: 0,
      started: kernelComponent, classes: [], module: undefined, autounload: false, delayAutounload: false,
    };
  }

  #fail(id: string, code: number): IOReturn {
    this.#kernel?.log(`Kext ${id} failed to load (0x${(code >>> 0).toString(16)}).`);
    return code;
  }
}

/** Version string kextstat prints for a loaded kext. */
export function loadedVersionString(k: LoadedKext): string {
  return k.tag === 0 ? "" : OSKextVersionGetString(k.version);
}
