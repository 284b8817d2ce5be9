/**
 * The matching thread: `registerService` → `doServiceMatch` → `probeCandidates` → `startCandidate`
 * (spec §1.6–1.7), driving the pure engine of `catalogue/` with real driver instances.
 *
 * Flow for one nub. `registerService` checks the nub is attached up to the root, takes busy +1 and
 * posts a matching task on the scheduler (or runs it inline for `kIOServiceSynchronous`, and for any
 * nub whose provider is itself matching synchronously). The task sets the registered and
 * first-publish bits, fires first-publish then publish notifiers — all before any probe — and hands
 * the nub to the engine (`matchService`) with two hooks: `probe` allocates the personality's `IOClass`
 * (asking the {@link KextLoader} when the class is not defined yet), `init`s it with the personality
 * copy, attaches it, calls `probe`, detaches it; `start` attaches and calls `start`, detaching and
 * cleaning up on failure so the engine tries the next candidate of the category. The pass repeats
 * while the catalogue generation moved under it. Then the nub becomes matched, matched and
 * first-match notifiers fire, and busy drops by one.
 *
 * Reference counts: an instance holds the reference from its allocation while it is a candidate.
 * Winners give it up once attached (the registry link keeps them alive); losers, declined probes and
 * failed starts are released, so every class's instance count returns to where it was.
 *
 * A driver that throws in `probe` or `start` is logged with its kext's bundle identifier and treated
 * as a decline / failure; the next candidate is tried.
 */
import { type IOReturn } from "../../base/index.ts";
import { num, isOSNumber, type OSDictionary } from "../../libkern/index.ts";
import { matchPassive, matchService, type CandidateDecision, type IOCatalogue, type MatchHooks } from "../catalogue/index.ts";
import { OSMetaClass } from "../object/index.ts";
import {
  kIOServiceFirstMatchState, kIOServiceFirstPublishState, kIOServiceMatchedState, kIOServiceRegisteredState,
  type IORegistry,
} from "../registry/index.ts";
import type { Scheduler } from "../scheduler/index.ts";
import type { NotificationCenter } from "./IONotifier.ts";
import { isResourcesService, type IOResources } from "./IOResources.ts";
import { IOService, type IOServiceClass } from "./IOService.ts";
import { nubOf } from "./serviceNub.ts";
import {
  gIOFirstMatchNotification, gIOFirstPublishNotification, gIOMatchedNotification, gIOPublishNotification,
  gIOTerminatedNotification, gIOWillTerminateNotification, kIOLogProbe,
  kIOLogMatch, kIOLogStart, kIOServiceAsynchronous, kIOServiceRequired, kIOServiceSynchronous, type IONotificationType,
} from "./serviceConstants.ts";

/**
 * How the kernel gets driver code: kext management implements this and boot code injects it, so the
 * kernel never imports `kext/`.
 */
export interface KextLoader {
  /**
   * A personality names an `IOClass` that is not defined: load kext `bundleId` so that it defines
   * its classes. "loaded": defined now; "pending": the load finishes later and the loader then calls
   * `IOKernel.moduleHasLoaded(bundleId)`; "failed": the candidate is dropped.
   */
  loadKextForMatching(bundleId: string): "loaded" | "pending" | "failed";
}

/** What the matcher needs from the kernel. */
export interface MatcherHost {
  readonly registry: IORegistry;
  readonly scheduler: Scheduler;
  readonly catalogue: IOCatalogue;
  readonly notifications: NotificationCenter;
  readonly kextLoader: KextLoader | undefined;
  /** The global `io` boot-arg flags (kIOLog*). */
  readonly ioFlags: number;
  /** Whether the kext daemon has checked in; before that, `IOMatchDefer` personalities defer matching. */
  readonly kextdActive: boolean;
  log(line: string): void;
  getResources(): IOResources;
  /** The first registration of a service: add it to the set lookups use. */
  serviceRegistered(service: IOService): void;
}

interface ResourceWait {
  readonly driver: IOService;
  readonly nub: IOService;
  readonly names: readonly string[];
}

const describe = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/** The matching machinery of one kernel. */
export class ServiceMatcher {
  readonly #host: MatcherHost;
  readonly #stalled = new Map<string, Set<IOService>>();
  #deferred: IOService[] = [];
  #resourceWaits: ResourceWait[] = [];
  /** Matching passes run so far. */
  passes = 0;

  constructor(host: MatcherHost) {
    this.#host = host;
  }

  /** `registerService(options)`: busy +1 and a matching pass, inline or on the scheduler. */
  registerService(service: IOService, options: number): void {
    if (service.isInactive()) return;
    if (!this.#attachedToRoot(service)) {
      this.#host.log(`${service.getName()}: not registry member at registerService()`);
      return;
    }
    service.adjustBusy(1);
    service.retain();
    const inline = (options & kIOServiceAsynchronous) === 0
      && ((options & kIOServiceSynchronous) !== 0 || service.getProvider()?.synchronousState === true);
    if (inline) this.#doServiceMatch(service, true);
    else this.#host.scheduler.post(() => this.#doServiceMatch(service, false), "IOConfigThread");
  }

  /** Whether a passive match of `table` against `service` succeeds (notifications, lookups). */
  matches(service: IOService, table: OSDictionary): boolean {
    const { catalogue } = this.#host;
    return matchPassive(new Map(table), nubOf(service), { arch: catalogue.arch, families: catalogue.families }).matched;
  }

  /** `moduleHasLoaded(bundleId)`: resume matching on nubs stalled waiting for that kext. */
  moduleHasLoaded(bundleId: string): void {
    const nubs = this.#stalled.get(bundleId);
    if (!nubs) return;
    this.#stalled.delete(bundleId);
    for (const nub of nubs) {
      this.registerService(nub, kIOServiceAsynchronous);
      nub.adjustBusy(-1);
      nub.release();
    }
  }

  /** A terminated nub left the registry: drop its kext stalls and resource waits (and their busy counts). */
  forget(nub: IOService): void {
    const d = this.#deferred.indexOf(nub);
    if (d >= 0) {
      this.#deferred.splice(d, 1);
      nub.release();
    }
    for (const [bundle, nubs] of this.#stalled) {
      if (!nubs.delete(nub)) continue;
      if (nubs.size === 0) this.#stalled.delete(bundle);
      nub.adjustBusy(-1);
      nub.release();
    }
    const dropped = this.#resourceWaits.filter((w) => w.nub === nub);
    if (dropped.length === 0) return;
    this.#resourceWaits = this.#resourceWaits.filter((w) => w.nub !== nub);
    for (const w of dropped) {
      w.driver.release();
      nub.adjustBusy(-1);
    }
  }

  /** Nubs waiting for a kext, by bundle identifier. */
  stalledNubs(): ReadonlyMap<string, ReadonlySet<IOService>> {
    return this.#stalled;
  }

  /** Drivers whose start waits for an `IOResourceMatch` resource. */
  get resourceWaitCount(): number {
    return this.#resourceWaits.length;
  }

  #attachedToRoot(service: IOService): boolean {
    const root = this.#host.registry.root;
    for (let e = service as { getParentEntry(p: string): unknown } | undefined, n = 0; e && n < 10_000; n++) {
      if (e === root) return true;
      e = e.getParentEntry("IOService") as typeof e;
    }
    return false;
  }

  /**
   * Delivers `type` for `service` to the matching notifiers, in priority order. Termination types are
   * delivered to inactive services (that is when they happen); the others stop once it is inactive.
   */
  notify(type: IONotificationType, service: IOService): void {
    if (this.#host.notifications.count(type) === 0) return;
    const evenInactive = type === gIOTerminatedNotification || type === gIOWillTerminateNotification;
    for (const n of this.#host.notifications.collect(type, (t) => this.matches(service, t))) {
      if ((service.isInactive() && !evenInactive) || !n.active) continue;
      try {
        n.handler(service, n);
      } catch (e) {
        this.#host.log(`${type} notification handler for ${service.getName()} threw: ${describe(e)}`);
      }
    }
  }

  #doServiceMatch(service: IOService, sync: boolean): void {
    const wasSync = service.synchronousState;
    service.synchronousState = sync;
    try {
      if (service.isInactive()) return;
      let generation: number;
      do {
        generation = this.#host.catalogue.generation;
        const first = (service.state & kIOServiceFirstPublishState) === 0;
        if (first) {
          this.#host.serviceRegistered(service);
          service.setStateBits(kIOServiceFirstPublishState);
        }
        service.setStateBits(kIOServiceRegisteredState);
        if (first) this.notify(gIOFirstPublishNotification, service);
        this.notify(gIOPublishNotification, service);
        if (!service.isInactive()) this.#probeCandidates(service);
      } while (this.#host.catalogue.generation !== generation && !service.isInactive());
      if (service.isInactive()) return;
      if (isResourcesService(service)) {
        service.setProperty("IOResourceMatched", [...service.properties.keys()].filter((k) => k !== "IOResourceMatched"));
        if (service === this.#host.getResources()) this.#retryResourceWaits();
      }
      service.setStateBits(kIOServiceMatchedState);
      this.notify(gIOMatchedNotification, service);
      if ((service.state & kIOServiceFirstMatchState) === 0 && !service.isInactive()) {
        service.setStateBits(kIOServiceFirstMatchState);
        this.notify(gIOFirstMatchNotification, service);
      }
    } finally {
      service.synchronousState = wasSync;
      this.passes++;
      service.adjustBusy(-1);
      service.release();
    }
  }

  #probeCandidates(nub: IOService): void {
    let stalledFor: string | undefined;
    let deferred = false;
    const hooks: MatchHooks = {
      probe: (d, _n, score) => {
        if (stalledFor !== undefined) return undefined;
        const r = this.#probe(d, nub, score);
        if (typeof r === "string") {
          stalledFor = r;
          return undefined;
        }
        return r;
      },
      start: (d) => {
        if (deferred) return false;
        if (d.table?.get("IOMatchDefer") === true && !this.#host.kextdActive) {
          deferred = true;
          this.#host.log(`${nub.getName()}(0x${nub.entryID.toString(16)}): matching deferred by ${d.personality.ioClass ?? "?"}`);
          return false;
        }
        return this.#start(d.instance as IOService, nub, d);
      },
    };
    const run = matchService(this.#host.catalogue, nubOf(nub), hooks);
    for (const d of run.candidates) {
      if (d.outcome === "category-taken" && this.#flags(d) & kIOLogMatch) this.#host.log(`${nub.getName()}: match category ${d.category} exists`);
      const inst = d.instance as IOService | undefined;
      if (!inst) continue;
      if (d.outcome === "waiting-resource") this.#waitForResources(inst, nub, d);
      else inst.release(); // winners live on through their registry link; everyone else is freed
    }
    // Divergence from XNU: the engine probes after pass 1, so candidates probed before the stall may
    // still start; xnu stops pass 1 at the stall. Later candidates are skipped, as in xnu.
    if (stalledFor !== undefined) this.#stall(nub, stalledFor);
    if (deferred && !this.#deferred.includes(nub)) {
      nub.retain();
      this.#deferred.push(nub);
    }
  }

  /** The kext daemon checked in: rematch the nubs whose matching an `IOMatchDefer` personality deferred. */
  rematchDeferred(): void {
    for (const nub of this.#deferred.splice(0)) {
      this.registerService(nub, kIOServiceAsynchronous);
      nub.release();
    }
  }

  /** Nubs whose matching waits for the kext daemon. */
  get deferredCount(): number {
    return this.#deferred.length;
  }

  #flags(d: CandidateDecision): number {
    const v = d.personality.table.get("IOKitDebug");
    return isOSNumber(v) ? Number(v.value) : this.#host.ioFlags;
  }

  /** Pass 2 for one candidate; a string result names a kext whose load is pending. */
  #probe(d: CandidateDecision, nub: IOService, score: number): { instance: IOService; score: number } | string | undefined {
    const cls = d.personality.ioClass;
    const bundle = d.personality.bundle;
    if (cls === undefined || d.table === undefined) return undefined;
    let meta = OSMetaClass.getMetaClassWithName(cls, this.#host.registry);
    if (!meta && bundle !== undefined && this.#host.kextLoader) {
      const r = this.#host.kextLoader.loadKextForMatching(bundle);
      if (r === "pending") return bundle;
      meta = OSMetaClass.getMetaClassWithName(cls, this.#host.registry);
    }
    let inst: IOService | undefined;
    if (meta && meta.isSubclassOf("IOService")) {
      try {
        inst = new (meta.ctor as IOServiceClass)(this.#host.registry);
      } catch (e) {
        this.#host.log(`${bundle ?? "kernel"}: ${cls} constructor threw: ${describe(e)}`);
      }
    }
    if (!inst) {
      this.#host.log(`Couldn't alloc class "${cls}"`);
      return undefined;
    }
    const flags = this.#flags(d);
    if (!inst.init(d.table) || !inst.attach(nub)) {
      inst.release();
      return undefined;
    }
    if (flags & kIOLogProbe) this.#host.log(`${cls}[0x${inst.entryID.toString(16)}]::probe(${nub.getName()})`);
    let newScore: number | null = null;
    try {
      newScore = inst.probe(nub, score);
    } catch (e) {
      this.#host.log(`${bundle ?? "kernel"}: ${cls}::probe(${nub.getName()}) threw: ${describe(e)}`);
    }
    inst.detach(nub);
    if (newScore === null || !Number.isFinite(newScore)) {
      if (flags & kIOLogProbe) this.#host.log(`${cls}[0x${inst.entryID.toString(16)}]::probe fails`);
      inst.release();
      return undefined;
    }
    const s32 = newScore | 0;
    inst.setProperty("IOProbeScore", num(s32, 32));
    return { instance: inst, score: s32 };
  }

  /** `startCandidate`: attach, start; on failure clean up so the next candidate can go. */
  #start(inst: IOService, nub: IOService, d: CandidateDecision): boolean {
    if (!inst.attach(nub)) return false;
    if (this.#flags(d) & kIOLogStart) this.#host.log(`${inst.getName()}[0x${inst.entryID.toString(16)}]::start(${nub.getName()}) <${inst.getRetainCount()}>`);
    let ok = false;
    try {
      ok = inst.start(nub) === true;
    } catch (e) {
      this.#host.log(`${d.personality.bundle ?? inst.getKmodName()}: ${inst.className}::start(${nub.getName()}) threw: ${describe(e)}`);
    }
    if (!ok) this.#cleanUpFailedStart(inst, nub);
    return ok;
  }

  /** A failed start leaves nothing behind: its resources, any clients it made, its link. */
  #cleanUpFailedStart(inst: IOService, nub: IOService): void {
    try {
      inst.disposeResources();
    } catch (e) {
      this.#host.log(`${inst.className}: releasing resources after a failed start threw: ${describe(e)}`);
    }
    for (const c of inst.getClients()) c.terminate(kIOServiceRequired | kIOServiceSynchronous);
    inst.detach(nub);
  }

  #stall(nub: IOService, bundle: string): void {
    const set = this.#stalled.get(bundle) ?? new Set<IOService>();
    if (set.has(nub)) return;
    set.add(nub);
    this.#stalled.set(bundle, set);
    nub.retain();
    nub.adjustBusy(1);
    this.#host.log(`${nub.getName()}: stalling for module`);
  }

  /**
   * Divergence from XNU: xnu blocks the matching thread in `startCandidate` until the resources are
   * published; here the driver waits in a list (holding its category, the nub kept busy) and starts
   * when IOResources finishes a matching pass with the resources present.
   */
  #waitForResources(driver: IOService, nub: IOService, d: CandidateDecision): void {
    const names = [d.table?.get("IOResourceMatch"), nub.getProperty("IOResourceMatch")]
      .flatMap((v) => (typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []));
    nub.adjustBusy(1);
    this.#resourceWaits.push({ driver, nub, names });
  }

  #retryResourceWaits(): void {
    const res = this.#host.getResources();
    const ready = this.#resourceWaits.filter((w) => w.nub.isInactive() || w.names.every((n) => res.hasProperty(n)));
    if (ready.length === 0) return;
    this.#resourceWaits = this.#resourceWaits.filter((w) => !ready.includes(w));
    for (const w of ready) {
      if (!w.nub.isInactive()) this.#startWaited(w);
      w.driver.release();
      w.nub.adjustBusy(-1);
    }
  }

  #startWaited(w: ResourceWait): IOReturn | boolean {
    if (!w.driver.attach(w.nub)) return false;
    let ok = false;
    try {
      ok = w.driver.start(w.nub) === true;
    } catch (e) {
      this.#host.log(`${w.driver.getKmodName()}: ${w.driver.className}::start(${w.nub.getName()}) threw: ${describe(e)}`);
    }
    if (!ok) this.#cleanUpFailedStart(w.driver, w.nub);
    return ok;
  }
}
