/**
 * The kernel side of OSKext: loading kexts into an {@link IOKernel}, load tags, dependency
 * references, start/stop, personalities, explicit unload and autounload (spec §4.4–4.5).
 *
 * State. `#loaded` is the loaded list in load order (`#byID` indexes it); each entry has a load tag
 * from a counter that never goes back (the kernel itself is tag 0, `__kernel__`; kernel components
 * take the next tags at boot, as the prelinked ones do), the loaded kexts it links against, and a
 * reference count made of its dependents plus explicit retains (`OSKextRetainKextWithLoadTag`) —
 * what kextstat's "Refs" column shows. A kext with references cannot be unloaded.
 *
 * Atomic loads. A load is planned before anything changes — validation, loadability, dependency
 * resolution, every personality the graph would send checked as the catalogue checks it — and then
 * carried out libraries first. If any step fails (an executable that throws at import, a class that
 * cannot be defined, a start routine that fails), every kext this load added is stopped, its classes
 * removed and its entry dropped, newest first, so the kext table, the class table and the catalogue
 * are exactly as before; personalities are sent only once the whole graph has started. Loads (and
 * explicit unloads) run one at a time, as under XNU's `sKextLock`. Tags used by a failed load are
 * not reused, as in XNU.
 *
 * Executables. A kext's code is a JavaScript module (see `kextExecutable.ts`), fetched by the
 * injected {@link KextModuleLoader}. Every named export that derives from `OSObject` is defined under
 * its export name with the kext as kmod, and a `defineClasses(kpi)` export may build classes from
 * the kernel API it is given (linking, in effect). Optional `start(kmod)` / `stop(kmod)` exports
 * return 0 (KERN_SUCCESS) or an error; `kmod` is the kext's {@link KmodInfo}, through which it may
 * request bundle resources. Mach-O code cannot run here: loading one fails with
 * kOSKextReturnLinkError.
 *
 * Autounload. The scan runs `sConsiderUnloadDelay` (60 s of virtual time) after the IOService tree
 * goes quiet or a tag is released, only once the kext daemon is active (`kextdActive`) and never
 * while the system sleeps: the root domain's willSleep cancels the timer and didWake re-arms it.
 *
 * Matching calls {@link KextRuntime.loadKextForMatching} synchronously; the load runs on the
 * kernel's scheduler and ends with `moduleHasLoaded`, which resumes the stalled nubs.
 */
import { IOReturnError, kIOReturnSuccess, kOSKextReturn, type IOReturn } from "../base/index.ts";
import * as kpi from "../kernel/index.ts";
import { OSMetaClass, pmContextOf, type IOKernel, type KextLoader, type TaskHandle } from "../kernel/index.ts";
import { OSKextVersionGetString, type OSKextVersion, type OSValue } from "../libkern/index.ts";
import { KextAnalyzer } from "./analyzeKext.ts";
import type { BundleSource } from "./BundleSource.ts";
import { planKextLoad, type LoadPlan } from "./planKextLoad.ts";
import { KextResourceRequests, type OSKextRequestResourceCallback } from "./kextResourceRequests.ts";
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

/** What a kext's `start(kmod)` / `stop(kmod)` receive: `kmod_info` plus the kext's own KPIs. */
export interface KmodInfo {
  readonly name: string;
  readonly version: string;
  /** The load tag (`kmod_info.id`). */
  readonly id: number;
  /** `OSKextRequestResource(name, callback, context)`: kIOReturnSuccess and a request tag, or an error. */
  requestResource(name: string, callback: OSKextRequestResourceCallback, context?: unknown): { result: IOReturn; requestTag?: number };
  /** `OSKextCancelRequest(requestTag)`. */
  cancelRequest(requestTag: number): IOReturn;
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
  kmod: KmodInfo | undefined;
  autounload: boolean;
  delayAutounload: boolean;
  permanent: boolean;
}

export interface LoadOptions {
  /** Start matching with the kext's personalities (default true). */
  readonly startMatching?: boolean;
  /** Send the personalities at all (default true; a load asked for by matching does not). */
  readonly sendPersonalities?: boolean;
  /** Part of the boot kext collection: never autounloaded (kexts in a boot KC cannot unload). */
  readonly permanent?: boolean;
  /**
   * The request comes from an administrator (default true). Otherwise only kexts whose
   * `OSBundleAllowUserLoad` is true may load (kOSKextReturnNotPrivileged).
   */
  readonly privileged?: boolean;
}

export interface KextRuntimeOptions {
  readonly arch?: string;
  /** Loading refused with kOSKextReturnDisabled. */
  readonly loadsDisabled?: boolean;
  readonly safeBoot?: boolean;
  /**
   * The API handed to a kext's `defineClasses(kpi)`: the kernel's exports by default; the host adds
   * the families compiled into the kernel image (drivers/) so kexts can link against them.
   */
  readonly kpi?: Readonly<Record<string, unknown>>;
  /** Where `OSKextRequestResource` reads bundle resources; without one requests are kOSKextReturnDisabled. */
  readonly resources?: BundleSource;
}

/** `sConsiderUnloadDelay`: seconds between the registry going quiet and an autounload scan. */
export const kConsiderUnloadDelaySeconds = 60;

const SAFE_BOOT_REQUIRED = new Set(["Root", "Local-Root", "Network-Root", "Safe Boot", "Console"]);

const isOSObjectClass = (v: unknown): v is kpi.OSClassConstructor =>
  typeof v === "function" && v.prototype instanceof kpi.OSObject;

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Runs a module's `start`/`stop` routine when it has one; true for KERN_SUCCESS (0 or no value). */
function callModuleRoutine(entry: Entry, name: "start" | "stop", log: (line: string) => void): boolean {
  const fn = entry.module?.[name];
  if (typeof fn !== "function" || isOSObjectClass(fn)) return true;
  try {
    const rc: unknown = (fn as (kmod: KmodInfo | undefined) => unknown)(entry.kmod);
    return rc === 0 || rc === undefined;
  } catch (e) {
    log(`Kext ${entry.bundleID} ${name} routine threw: ${errorText(e)}`);
    return false;
  }
}

export class KextRuntime implements KextLoader {
  readonly set: KextSet;
  readonly #moduleLoader: KextModuleLoader;
  readonly #options: KextRuntimeOptions;
  readonly #analyzer: KextAnalyzer;
  readonly #loaded: Entry[] = [];
  readonly #byID = new Map<string, Entry>();
  readonly #plans = new WeakMap<OSKext, LoadPlan | IOReturn>();
  readonly #requests: KextResourceRequests;
  #nextTag = 1;
  #kernel: IOKernel | undefined;
  readonly #inFlight = new Map<string, Promise<IOReturn>>();
  #lock: Promise<unknown> = Promise.resolve();
  #unloadTimer: TaskHandle | undefined;
  /** When the autounload scan is due (virtual ns); the timer may be armed earlier and re-posts itself. */
  #unloadAt = 0;
  #systemSleeping = false;
  #scanMissedBySleep = false;

  constructor(set: KextSet, moduleLoader: KextModuleLoader, options: KextRuntimeOptions = {}) {
    this.set = set;
    this.#moduleLoader = moduleLoader;
    this.#options = options;
    this.#analyzer = new KextAnalyzer(set, { arch: options.arch, skipAuthentication: true, qualify: false });
    this.#requests = new KextResourceRequests(() => this.kernel.scheduler, (l) => this.kernel.log(l));
  }

  /**
   * Binds the kernel (which takes this runtime as its KextLoader), registers the kernel components,
   * and watches the IOService tree going quiet and system sleep for autounload.
   */
  attachKernel(kernel: IOKernel): void {
    this.#kernel = kernel;
    this.#add(this.#entry(0, "__kernel__", 0n, undefined, true));
    for (const k of this.set.all()) {
      if (k.isKernelComponent && k.bundleID !== undefined && !this.#byID.has(k.bundleID)) {
        this.#add(this.#entry(this.#nextTag++, k.bundleID, k.version, k, true));
      }
    }
    kernel.registry.onBusyChange((entry, busy) => {
      if (busy === 0 && (entry === kernel.platform || entry === kernel.registry.root) && kernel.kextdActive) this.scheduleConsiderUnloads();
    });
    pmContextOf(kernel.platform).onSystemPower((e) => {
      if (e === "willSleep") this.setSystemSleeping(true);
      else if (e === "didWake") this.setSystemSleeping(false);
    });
  }

  get kernel(): IOKernel {
    if (this.#kernel === undefined) throw new IOReturnError(kOSKextReturn.InternalError as number, "KextRuntime has no kernel attached");
    return this.#kernel;
  }

  /** Kext loads in progress (their executables are being fetched: real I/O outside the scheduler). */
  get loadsInFlight(): number {
    return this.#inFlight.size;
  }

  /** Loaded kexts in load-tag order. */
  loadedKexts(): LoadedKext[] {
    return this.#loaded.map((e) => ({
      tag: e.tag, bundleID: e.bundleID, version: e.version, kext: e.kext, dependencyTags: e.dependencies.map((d) => d.tag),
      isKernelComponent: e.isKernelComponent, refs: e.dependents + e.retains, started: e.started, classes: [...e.classes],
    }));
  }

  /** The loaded kext with this identifier. */
  loadedKext(bundleId: string): LoadedKext | undefined {
    return this.loadedKexts().find((k) => k.bundleID === bundleId);
  }

  /** KextLoader: a personality needs a class from `bundleId`; load it on the scheduler. */
  loadKextForMatching(bundleId: string): "loaded" | "pending" | "failed" {
    if (this.#byID.has(bundleId)) return "loaded";
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

  /** `OSKext::load`: dependencies first (in load order), then this kext, all or nothing; resolves to an IOReturn. */
  load(kext: OSKext, options: LoadOptions = {}): Promise<IOReturn> {
    const id = kext.bundleID ?? kext.path;
    const pending = this.#inFlight.get(id);
    if (pending) return pending;
    const p = this.#serial(() => this.#load(kext, options)).finally(() => this.#inFlight.delete(id));
    if (options.permanent === true) void p.then(() => { for (const e of this.#loaded) if (e.bundleID === id || this.#isDependencyOf(e, id)) e.permanent = true; });
    this.#inFlight.set(id, p);
    return p;
  }

  /** Runs `fn` after every earlier load or unload finished (XNU's sKextLock). */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#lock.then(fn, fn);
    this.#lock = p.catch(() => undefined);
    return p;
  }

  async #load(kext: OSKext, options: LoadOptions): Promise<IOReturn> {
    const id = kext.bundleID ?? kext.path;
    if (this.#options.loadsDisabled) return this.#fail(id, kOSKextReturn.Disabled as number);
    if (this.#options.safeBoot && !kext.isKernelComponent && !SAFE_BOOT_REQUIRED.has(kext.bundleRequired ?? "")) {
      return this.#fail(id, kOSKextReturn.BootLevel as number);
    }
    // Divergence from XNU: the requester's privilege is an option (no audit token in the emulation).
    if (options.privileged === false && kext.info?.get("OSBundleAllowUserLoad") !== true) {
      this.kernel.log(`Kext ${id} does not allow user load (OSBundleAllowUserLoad).`);
      return this.#fail(id, kOSKextReturn.NotPrivileged as number);
    }
    const plan = this.#plan(kext);
    if (typeof plan === "number") return this.#fail(id, plan);
    // Divergence from XNU: a failed load rolls back every kext it added (XNU leaves loaded
    // dependencies behind), and rejected personalities refuse the load before anything changes.
    const added: Entry[] = [];
    for (const k of plan.order) {
      if (k.isKernelComponent || !k.declaresExecutable) continue; // codeless: no tag, personalities only
      const r = await this.#loadOne(k, added);
      if (r !== kIOReturnSuccess) {
        this.#rollback(added);
        return this.#fail(id, k === kext ? r : (kOSKextReturn.DependencyLoadError as number));
      }
    }
    for (const e of added) this.kernel.log(`Kext ${e.bundleID} loaded.`);
    if (options.sendPersonalities ?? true) {
      const all: OSValue[] = [];
      for (const k of plan.order) {
        if (k === kext || added.some((e) => e.kext === k)) all.push(...(plan.personalities.get(k) ?? []));
      }
      if (all.length > 0) this.kernel.addDrivers(all, options.startMatching ?? true);
    }
    return kIOReturnSuccess;
  }

  /**
   * Steps 1, 5 and 6 of `OSKext::load` plus the catalogue's checks, memoised per kext: the load
   * order, and the personalities each kext in it would send; or the kOSKextReturn code refusing it.
   */
  #plan(kext: OSKext): LoadPlan | IOReturn {
    const cached = this.#plans.get(kext);
    if (cached !== undefined) return cached;
    const plan = planKextLoad(kext, this.#analyzer, this.#options.arch, (l) => this.kernel.log(l));
    this.#plans.set(kext, plan);
    return plan;
  }

  /** Steps 2–8 for one kext whose dependencies are loaded; entries it creates go to `added`. */
  async #loadOne(kext: OSKext, added: Entry[]): Promise<IOReturn> {
    const id = kext.bundleID as string;
    const existing = this.#byID.get(id);
    if (existing) return existing.started ? kIOReturnSuccess : this.#start(existing);
    if (kext.executable?.kind !== "javascript") {
      this.kernel.log(`Kext ${id} - executable can't run in this kernel (not a JavaScript module): link failed.`);
      return kOSKextReturn.LinkError as number;
    }
    let module: Record<string, unknown>;
    try {
      module = await this.#moduleLoader(kext);
    } catch (e) {
      this.kernel.log(`Kext ${id} - executable failed to load: ${errorText(e)}`);
      return kOSKextReturn.LinkError as number;
    }
    const deps: Entry[] = [];
    for (const edge of this.#analyzer.resolver.resolve(kext).edges) {
      const d = edge.target?.bundleID !== undefined ? this.#byID.get(edge.target.bundleID) : undefined;
      if (d !== undefined) deps.push(d);
    }
    const entry = this.#entry(this.#nextTag++, id, kext.version, kext, false);
    entry.dependencies = deps;
    entry.module = module;
    entry.kmod = this.#kmodInfo(entry);
    try {
      this.#defineClasses(entry, module);
    } catch (e) {
      this.#removeClasses(entry);
      this.kernel.log(`Kext ${id} - ${errorText(e)}`);
      return kOSKextReturn.LinkError as number;
    }
    for (const d of deps) d.dependents++;
    this.#add(entry);
    added.push(entry);
    return this.#start(entry);
  }

  #kmodInfo(entry: Entry): KmodInfo {
    const kext = entry.kext as OSKext;
    return {
      name: entry.bundleID, version: OSKextVersionGetString(entry.version), id: entry.tag,
      requestResource: (name, callback, context) => {
        if (!this.#byID.has(entry.bundleID)) return { result: kOSKextReturn.InvalidArgument as number };
        return this.#requests.request(kext, this.#options.resources, name, callback, context);
      },
      cancelRequest: (tag) => this.#requests.cancel(tag),
    };
  }

  #defineClasses(entry: Entry, module: Record<string, unknown>): void {
    const classes: Array<[string, unknown]> = Object.entries(module);
    const factory = module.defineClasses;
    if (typeof factory === "function" && !isOSObjectClass(factory)) {
      // Linking runs on every load: each kernel (and each reload after an unload) gets its own
      // instance of the kext's classes, defined in this kernel's class table.
      const made = OSMetaClass.withDomain(this.kernel.registry, () => (factory as (api: unknown) => Record<string, unknown>)(this.#options.kpi ?? kpi)) ?? {};
      classes.push(...Object.entries(made));
    }
    for (const [name, value] of classes) {
      if (!isOSObjectClass(value)) continue;
      const meta = OSMetaClass.define(value, name, { kmodName: entry.bundleID, domain: this.kernel.registry });
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
        return kOSKextReturn.StartStopError as number;
      }
    }
    if (!callModuleRoutine(entry, "start", (l) => this.kernel.log(l))) {
      this.kernel.log(`Kext ${entry.bundleID} start routine failed.`);
      return kOSKextReturn.StartStopError as number;
    }
    entry.started = true;
    return kIOReturnSuccess;
  }

  /** Undoes a failed load: the kexts it added, newest first, stopped, their classes removed, gone. */
  #rollback(added: readonly Entry[]): void {
    for (let i = added.length - 1; i >= 0; i--) {
      const e = added[i] as Entry;
      if (e.dependents > 0) continue; // another load links against it meanwhile: it stays
      if (e.started) {
        this.#requests.cancelAllFor(e.bundleID);
        callModuleRoutine(e, "stop", (l) => this.kernel.log(l));
      }
      this.#removeClasses(e);
      this.#remove(e);
    }
  }

  #removeClasses(e: Entry): void {
    try {
      OSMetaClass.removeClasses(e.bundleID, this.kernel.registry);
    } catch (err) {
      this.kernel.log(`Kext ${e.bundleID} - ${errorText(err)}`);
    }
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

  /**
   * (Re)arms the autounload timer `sConsiderUnloadDelay` seconds from now on the kernel's clock; an
   * earlier timer is cancelled. When it fires the scan runs if the kext daemon is active and the
   * system is awake.
   */
  scheduleConsiderUnloads(): void {
    const scheduler = this.kernel.scheduler;
    this.#unloadAt = scheduler.now() + kConsiderUnloadDelaySeconds * 1e9;
    // Re-arming happens on every quiet transition (each hot plug): rather than cancel and re-post a
    // timer each time, a pending timer that fires early re-posts itself for the rest of the delay.
    if (this.#unloadTimer === undefined) this.#armUnloadTimer();
  }

  #armUnloadTimer(): void {
    this.#unloadTimer = this.kernel.scheduler.postAt(this.#unloadAt, () => {
      this.#unloadTimer = undefined;
      if (this.kernel.scheduler.now() < this.#unloadAt) { this.#armUnloadTimer(); return; }
      if (!this.kernel.kextdActive) return;
      if (this.#systemSleeping) { this.#scanMissedBySleep = true; return; }
      void this.considerUnloads();
    }, "OSKext considerUnloads");
  }

  /**
   * Tells the runtime the system is going to sleep (true) or has woken (false). Sleep cancels a
   * pending autounload scan and makes {@link considerUnloads} a no-op; waking re-arms the timer.
   * Wired to the root domain's willSleep/didWake at {@link attachKernel}.
   */
  setSystemSleeping(sleeping: boolean): void {
    if (sleeping === this.#systemSleeping) return;
    this.#systemSleeping = sleeping;
    if (sleeping) {
      if (this.#unloadTimer?.cancel()) this.#scanMissedBySleep = true;
      this.#unloadTimer = undefined;
    } else if (this.#scanMissedBySleep) {
      this.#scanMissedBySleep = false;
      this.scheduleConsiderUnloads();
    }
  }

  /** Whether autounload is suspended by system sleep. */
  get autounloadSuspended(): boolean {
    return this.#systemSleeping;
  }

  /**
   * The autounload pass: loaded kexts from last to first, repeated until nothing unloads. Skips
   * kexts with references, without autounload, kernel components, ones flagged `delayAutounload`
   * (once), ones whose classes have instances and ones with pending resource requests.
   * Personalities stay in the catalogue. Does nothing while the system sleeps.
   */
  considerUnloads(): Promise<string[]> {
    return this.#serial(async () => {
      const unloaded: string[] = [];
      if (this.#systemSleeping) return unloaded;
      for (let again = true; again;) {
        again = false;
        for (let i = this.#loaded.length - 1; i >= 0; i--) {
          const e = this.#loaded[i] as Entry;
          if (e.isKernelComponent || e.permanent || !e.autounload || e.dependents + e.retains > 0) continue;
          if (e.delayAutounload) { e.delayAutounload = false; continue; }
          if (this.#busyClasses(e).length > 0 || this.#requests.pendingFor(e.bundleID) > 0) continue;
          if (this.#unload(e) === kIOReturnSuccess) {
            unloaded.push(e.bundleID);
            again = true;
          }
        }
      }
      return unloaded;
    });
  }

  /**
   * Kexts an autounload pass would unload now, newest first: autounload-enabled, not permanent or a
   * kernel component, unreferenced, no instances of their classes, no pending resource requests.
   */
  idleKexts(): string[] {
    const out: string[] = [];
    for (let i = this.#loaded.length - 1; i >= 0; i--) {
      const e = this.#loaded[i] as Entry;
      if (e.isKernelComponent || e.permanent || !e.autounload || e.dependents + e.retains > 0) continue;
      if (this.#busyClasses(e).length === 0 && this.#requests.pendingFor(e.bundleID) === 0) out.push(e.bundleID);
    }
    return out;
  }

  #isDependencyOf(dep: Entry, id: string): boolean {
    const top = this.#loaded.find((x) => x.bundleID === id);
    const stack = top ? [...top.dependencies] : [];
    for (let n = 0; stack.length > 0 && n < 10_000; n++) {
      const e = stack.pop() as Entry;
      if (e === dep) return true;
      stack.push(...e.dependencies);
    }
    return false;
  }

  /** Marks a loaded kext to be skipped by the next autounload pass. */
  delayAutounload(bundleId: string): void {
    const e = this.#byID.get(bundleId);
    if (e) e.delayAutounload = true;
  }

  /**
   * `OSKext::removeKext(kext, terminateAndRemovePersonalities)` as `kextunload` uses it: terminate
   * the kext's services and remove its personalities (when asked), then unload.
   */
  unloadKextWithIdentifier(bundleId: string, terminateAndRemovePersonalities = true): Promise<IOReturn> {
    return this.#serial(async () => {
      const e = this.#byID.get(bundleId);
      if (!e) return kOSKextReturn.NotFound as number;
      if (e.isKernelComponent) return kOSKextReturn.InvalidArgument as number;
      const matching = new Map([["CFBundleIdentifier", bundleId]]);
      if (terminateAndRemovePersonalities) {
        if (e.dependents + e.retains > 0) return this.#refsError(e);
        // `terminateDriversForModule`: services whose CFBundleIdentifier property is the kext's. A
        // matching dictionary of that key alone would match every matched service (not a match key).
        const services = this.kernel.registry.findByClass("IOService", { conforms: true })
          .filter((s): s is kpi.IOService => s instanceof kpi.IOService && !s.isInactive())
          .filter((s) => s.getProperty("CFBundleIdentifier") === bundleId || s.getKmodName() === bundleId);
        for (const s of services) s.terminate();
        // A real-time kernel (the daemon) runs its own scheduler: wait for termination to finish
        // instead of re-entering the scheduler's run loop (h/daemon's fix, kept here).
        if (services.length > 0) {
          if (this.kernel.scheduler.realTime) await this.kernel.platform.waitQuiet(30_000);
          else await this.kernel.runUntilIdle();
        }
        this.kernel.removeDrivers(matching, false);
      }
      const r = this.#unload(e);
      if (r === kIOReturnSuccess && terminateAndRemovePersonalities) this.kernel.removeDrivers(matching, true);
      return r;
    });
  }

  /**
   * Ends the kernel's kexts: terminates their services and unloads every loaded kext, last to
   * first, so the process-wide class table is as it was before (an embedded kernel that lives for
   * one command). Returns the kexts that could not be unloaded.
   */
  async unloadAll(): Promise<string[]> {
    const left: string[] = [];
    for (const e of [...this.#loaded].reverse()) {
      if (e.isKernelComponent) continue;
      if ((await this.unloadKextWithIdentifier(e.bundleID, true)) !== kIOReturnSuccess) left.push(e.bundleID);
    }
    return left;
  }

  #unload(e: Entry): IOReturn {
    if (e.dependents + e.retains > 0) return this.#refsError(e);
    const busy = this.#busyClasses(e);
    if (busy.length > 0) {
      const lines = busy.map((m) => {
        const n = m.getInstanceCount();
        return `    Kext ${e.bundleID} class ${m.className} has ${n} instance${n === 1 ? "" : "s"}.`;
      });
      this.kernel.log(`Can't unload kext ${e.bundleID}; classes have instances:\n${lines.join("\n")}`);
      return kOSKextReturn.InUse as number;
    }
    this.#requests.cancelAllFor(e.bundleID);
    if (!callModuleRoutine(e, "stop", (l) => this.kernel.log(l))) {
      this.kernel.log(`Kext ${e.bundleID} stop routine failed.`);
      return kOSKextReturn.StartStopError as number;
    }
    e.started = false;
    this.#removeClasses(e);
    this.#remove(e);
    this.kernel.log(`Kext ${e.bundleID} unloaded.`);
    return kIOReturnSuccess;
  }

  #busyClasses(e: Entry): OSMetaClass[] {
    // A superclass's count includes its subclasses' (xnu's rule), so other kexts' instances block too.
    const out: OSMetaClass[] = [];
    for (const c of e.classes) {
      const m = OSMetaClass.getMetaClassWithName(c, this.kernel.registry);
      if (m !== undefined && m.getInstanceCount() > 0) out.push(m);
    }
    return out;
  }

  #refsError(e: Entry): IOReturn {
    this.kernel.log(`Can't unload kext ${e.bundleID}; outstanding references ${e.dependents + e.retains} (linkage or tracking object).`);
    return kOSKextReturn.InUse as number;
  }

  #add(e: Entry): void {
    this.#loaded.push(e);
    this.#byID.set(e.bundleID, e);
  }

  #remove(e: Entry): void {
    const i = this.#loaded.lastIndexOf(e);
    if (i >= 0) this.#loaded.splice(i, 1);
    this.#byID.delete(e.bundleID);
    for (const d of e.dependencies) d.dependents--;
  }

  #entry(tag: number, bundleID: string, version: OSKextVersion, kext: OSKext | undefined, kernelComponent: boolean): Entry {
    return {
      tag, bundleID, version, kext, dependencies: [], isKernelComponent: kernelComponent, dependents: 0, retains: 0,
      started: kernelComponent, classes: [], module: undefined, kmod: undefined, autounload: false, delayAutounload: false, permanent: false,
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
