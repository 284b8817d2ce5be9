/**
 * IOKernel: one emulated kernel — the scheduler, the registry, the catalogue, the notifiers, the
 * matching and termination machinery, the kernel log — booted to the state every Mac starts from:
 * `Root` → `IOPlatformExpertDevice` → `IOResources`, `IOUserResources`, all registered and matched.
 *
 * Everything asynchronous runs on `scheduler`; nothing happens between scheduler tasks. Matching and
 * termination run as tasks named `IOConfigThread` and `IOTerminateThread`; drivers' own work runs on
 * their work loops (the kernel's `workLoop` unless a driver makes its own). Boot code injects the
 * {@link KextLoader} that makes kexts define their classes; the kernel never imports `kext/`.
 *
 * Divergence from XNU: the I/O Kit's globals (gIOCatalogue, the registry root, the matching and
 * termination threads) are per IOKernel instance, so several kernels can live in one process (tests,
 * the daemon's what-if runs). The kernel's own class definitions (OSMetaClass) stay process-global,
 * like loaded code; a kext's classes live in the class table of the kernel that loaded it.
 */
import { kIOReturnBadArgument, kIOReturnSuccess, kIOReturnTimeout, type IOReturn } from "../../base/index.ts";
import { isOSDictionary, type OSDictionary, type OSValue } from "../../libkern/index.ts";
import { IOCatalogue, type AddDriversResult, type BuildArch, type CataloguePersonality, type PersonalityInput } from "../catalogue/index.ts";
import { OSMetaClass } from "../object/index.ts";
import { IORegistry, kIOMessageServiceBusyStateChange, kIOServiceFirstMatchState, kIOServiceFirstPublishState, kIOServiceInactiveState, kIOServiceMatchedState, kIOServiceRegisteredState } from "../registry/index.ts";
import { NS_PER_MS, Scheduler } from "../scheduler/index.ts";
import { IOWorkLoop } from "../workloop/index.ts";
import { ArbitrationLocks } from "./IOArbitration.ts";
import { IOLogRing } from "./IOLogRing.ts";
import { NotificationCenter, type IONotifier, type MatchingNotificationHandler } from "./IONotifier.ts";
import { IOPlatformExpertDevice, IOResources, IOUserResources } from "./IOResources.ts";
import { IOService, bindServiceRuntime, type IONotifierHandle, type InterestHandler, type ServiceRuntime } from "./IOService.ts";
import { ServiceMatcher, type KextLoader } from "./ServiceMatcher.ts";
import { nubOf, serviceOf } from "./serviceNub.ts";
import { Terminator } from "./Terminator.ts";
import {
  gIOBusyInterest, gIOFirstMatchNotification, gIOFirstPublishNotification, gIOGeneralInterest, gIOMatchedNotification,
  gIOPublishNotification, kIOServiceAsynchronous, kIOServiceRequired, kIOServiceSynchronous, type IOInterestType, type IONotificationType,
} from "./serviceConstants.ts";

/** Options for a new kernel. */
export interface IOKernelOptions {
  /** Scheduler seed (default 1). */
  readonly seed?: number;
  /** Break same-instant ties with the seeded PRNG instead of FIFO. */
  readonly shuffleTies?: boolean;
  /** Follow the wall clock (the daemon). */
  readonly realTime?: boolean;
  /** Build architecture for family matching (default x86_64). */
  readonly arch?: BuildArch;
  readonly kextLoader?: KextLoader;
  /** Name of the platform expert device (the model, e.g. `MacBookPro18,3`); default `IOPlatformExpertDevice`. */
  readonly platformName?: string;
  /** The `io` boot-arg debug flags (kIOLog*). */
  readonly ioFlags?: number;
  /** Kernel log ring capacity in lines (default 4096). */
  readonly logCapacity?: number;
}

/** The state a notification type requires for delivery to services that already have it. */
const EXISTING_STATE: Partial<Record<IONotificationType, number>> = {
  [gIOPublishNotification]: kIOServiceRegisteredState,
  [gIOFirstPublishNotification]: kIOServiceFirstPublishState,
  [gIOMatchedNotification]: kIOServiceMatchedState,
  [gIOFirstMatchNotification]: kIOServiceFirstMatchState,
};

/** One emulated kernel. */
export class IOKernel implements ServiceRuntime {
  readonly scheduler: Scheduler;
  readonly registry: IORegistry;
  readonly catalogue: IOCatalogue;
  readonly notifications = new NotificationCenter();
  readonly arbitration: ArbitrationLocks<IOService>;
  readonly logRing: IOLogRing;
  readonly workLoop: IOWorkLoop;
  readonly kextLoader: KextLoader | undefined;
  readonly ioFlags: number;
  /** Set once user space's kext daemon has checked in (`kIOCatalogKextdActive`). */
  kextdActive = false;
  readonly platform: IOPlatformExpertDevice;
  readonly resources: IOResources;
  readonly userResources: IOUserResources;
  readonly #matcher: ServiceMatcher;
  readonly #terminator: Terminator;
  /** Services ever registered and not yet gone: what lookups and `registeredServices` scan. */
  readonly #services = new Set<IOService>();

  constructor(options: IOKernelOptions = {}) {
    this.scheduler = new Scheduler({ seed: options.seed ?? 1, shuffleTies: options.shuffleTies ?? false, realTime: options.realTime ?? false });
    this.registry = new IORegistry({ clock: () => BigInt(this.scheduler.now()) });
    this.arbitration = new ArbitrationLocks(this.scheduler);
    this.logRing = new IOLogRing(options.logCapacity);
    this.kextLoader = options.kextLoader;
    this.ioFlags = options.ioFlags ?? 0;
    bindServiceRuntime(this.registry, this);
    this.registry.onBusyChange((entry, busy) => this.#busyChanged(entry, busy));
    this.catalogue = new IOCatalogue({
      arch: options.arch ?? "x86_64",
      delegate: {
        registeredServices: () => [...this.#services].filter((s) => s.isRegistered() && !s.isInactive()).map(nubOf),
        startMatching: (nub) => {
          const s = serviceOf(nub);
          if (s) this.registerService(s, kIOServiceAsynchronous);
        },
      },
    });
    this.workLoop = IOWorkLoop.workLoop(this.scheduler, "IOKernel");
    this.#matcher = new ServiceMatcher(this);
    this.#terminator = new Terminator({
      scheduler: this.scheduler,
      log: (l) => this.log(l),
      notify: (type, service) => this.#matcher.notify(type, service),
    });
    this.platform = new IOPlatformExpertDevice(this.registry, options.platformName !== undefined ? { name: options.platformName } : {});
    this.platform.attachToParent(this.registry.root, "IOService");
    this.resources = new IOResources(this.registry);
    this.userResources = new IOUserResources(this.registry);
    this.resources.attach(this.platform);
    this.userResources.attach(this.platform);
    for (const s of [this.platform, this.resources, this.userResources]) this.registerService(s, kIOServiceSynchronous);
    this.refreshDiagnostics();
  }

  // ---- ServiceRuntime ----

  /** Appends a line to the kernel log (`IOLog`). */
  log(line: string): void {
    this.logRing.log(this.scheduler.now(), line);
  }

  registerService(service: IOService, options: number): void {
    this.#matcher.registerService(service, options);
  }

  terminate(service: IOService, options: number): boolean {
    return this.#terminator.terminate(service, options);
  }

  scheduleStop(client: IOService, provider: IOService): void {
    this.#terminator.scheduleStop(client, provider);
  }

  resumeTermination(): void {
    this.#terminator.resumeDeferred();
  }

  serviceDetached(service: IOService, provider: IOService): void {
    if (service.isInactive() && service.getProviders().length === 0) {
      this.#services.delete(service);
      this.#matcher.forget(service);
    }
    if (service.termination.rematchOnDetach && service.isInactive()) {
      service.termination.rematchOnDetach = false;
      if (!provider.isInactive()) provider.registerService();
    }
    this.#terminator.detached(service, provider);
  }

  messageInterested(service: IOService, type: number, argument: unknown, except?: unknown): void {
    for (const h of this.notifications.interested(service, gIOGeneralInterest)) {
      if (except !== undefined && h === except) continue;
      try {
        h(type, service, argument);
      } catch (e) {
        this.log(`${service.getName()}: interest handler threw: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  registerInterest(service: IOService, type: IOInterestType, handler: InterestHandler): IONotifierHandle {
    return this.notifications.addInterest(service, type, handler);
  }

  getResources(): IOResources {
    return this.resources;
  }

  /** @internal The matcher saw a service's first registration. */
  serviceRegistered(service: IOService): void {
    this.#services.add(service);
  }

  /** Resolves kIOReturnSuccess once `service`'s busy count is 0; kIOReturnTimeout after `timeoutMs` of virtual time. */
  waitQuiet(service: IOService, timeoutMs: number): Promise<IOReturn> {
    if (service.busyState === 0) return Promise.resolve(kIOReturnSuccess);
    const d = this.scheduler.deferred<IOReturn>();
    let done = false;
    const handle = this.notifications.addInterest(service, gIOBusyInterest, () => {
      if (done || service.busyState !== 0) return;
      done = true;
      handle.remove();
      timer?.cancel();
      d.resolve(kIOReturnSuccess);
    });
    const timer = Number.isFinite(timeoutMs)
      ? this.scheduler.postAfter(timeoutMs * NS_PER_MS, () => {
        if (done) return;
        done = true;
        handle.remove();
        d.resolve(kIOReturnTimeout);
      }, "waitQuiet timeout")
      : undefined;
    return d.promise;
  }

  // ---- catalogue ----

  /** `IOCatalogue::addDrivers(personalities, doNubMatching)`. */
  addDrivers(personalities: readonly (OSValue | PersonalityInput)[], doNubMatching = true): AddDriversResult {
    const r = this.catalogue.addDrivers(personalities, doNubMatching);
    if (r.aborted !== undefined) this.log(r.aborted);
    return r;
  }

  /** `IOCatalogue::removeDrivers(matching, doNubMatching)`. */
  removeDrivers(matching: OSDictionary, doNubMatching = true): CataloguePersonality[] {
    return this.catalogue.removeDrivers(matching, doNubMatching);
  }

  /**
   * `IOCatalogueSendData(flag, data)`: 1 AddDrivers, 2 AddDriversNoMatch, 3 RemoveDrivers (data: a
   * matching dictionary), 4 RemoveDriversNoMatch, 7 KextdActive, 8 KextdFinishedLaunching (publishes
   * `IOKit` on IOUserResources). The removed flags 5 and 6, the reset flags 9 and 10 and unknown
   * flags return kIOReturnBadArgument, as does data of the wrong shape.
   */
  catalogueSendData(flag: number, data?: OSValue): IOReturn {
    switch (flag) {
      case 1:
      case 2: {
        if (!Array.isArray(data)) return kIOReturnBadArgument;
        const r = this.addDrivers(data, flag === 1);
        return r.aborted === undefined ? kIOReturnSuccess : kIOReturnBadArgument;
      }
      case 3:
      case 4:
        if (!isOSDictionary(data)) return kIOReturnBadArgument;
        this.removeDrivers(data, flag === 3);
        return kIOReturnSuccess;
      case 7:
      case 8:
        if (!this.kextdActive) {
          this.kextdActive = true;
          this.#matcher.rematchDeferred();
        }
        if (flag === 8) this.userResources.publishResource("IOKit");
        return kIOReturnSuccess;
      default:
        return kIOReturnBadArgument;
    }
  }

  /**
   * `IOCatalogue::terminateDriversForModule(bundleId)`: terminates (synchronously) every service
   * made from that kext's personalities or of a class it defined, then — with `removePersonalities` —
   * removes its personalities without rematching, so the kext's classes can be unloaded
   * (`OSMetaClass.removeClasses`) once their instances are gone.
   */
  terminateDriversForModule(bundleId: string, removePersonalities = true): IOReturn {
    const victims = [...this.registry.entries()].filter((e): e is IOService => e instanceof IOService
      && !e.isInactive() && (e.getProperty("CFBundleIdentifier") === bundleId || e.getKmodName() === bundleId));
    for (const v of victims) v.terminate(kIOServiceRequired | kIOServiceSynchronous);
    if (removePersonalities) this.removeDrivers(new Map<string, OSValue>([["CFBundleIdentifier", bundleId]]), false);
    return kIOReturnSuccess;
  }

  /** The kext `bundleId` finished loading: resume nubs stalled for it (`moduleHasLoaded`). */
  moduleHasLoaded(bundleId: string): void {
    this.#matcher.moduleHasLoaded(bundleId);
  }

  /** The matching machinery (for inspection: stalled nubs, resource waits, pass count). */
  get matcher(): ServiceMatcher {
    return this.#matcher;
  }

  /** Termination actions not yet run. */
  get terminationPending(): number {
    return this.#terminator.pending;
  }

  // ---- notifications and lookups ----

  /**
   * `addMatchingNotification(type, matching, handler, priority)`. Services that already have the
   * state the type requires are delivered at once, synchronously, before this returns.
   */
  addMatchingNotification(type: IONotificationType, matching: OSDictionary, handler: MatchingNotificationHandler, priority = 0): IONotifier {
    const n = this.notifications.add(type, matching, handler, priority);
    const bits = EXISTING_STATE[type];
    if (bits !== undefined) {
      for (const s of [...this.#services]) {
        if (!n.active) break;
        if ((s.state & bits) === 0 || (s.state & kIOServiceInactiveState) !== 0 || !this.#matcher.matches(s, matching)) continue;
        try {
          handler(s, n);
        } catch (e) {
          this.log(`${type} notification handler for ${s.getName()} threw: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
    return n;
  }

  /** `getMatchingServices(matching)`: active, matched services only, in registration order. */
  getMatchingServices(matching: OSDictionary): IOService[] {
    return [...this.#services].filter((s) => s.isMatched() && !s.isInactive() && this.#matcher.matches(s, matching));
  }

  /** `copyMatchingService(matching)`: the first of {@link getMatchingServices}. */
  copyMatchingService(matching: OSDictionary): IOService | undefined {
    return this.getMatchingServices(matching)[0];
  }

  /** `waitForMatchingService(matching, timeout)`: resolves with the service, or undefined after `timeoutMs`. */
  waitForMatchingService(matching: OSDictionary, timeoutMs = Infinity): Promise<IOService | undefined> {
    const found = this.copyMatchingService(matching);
    if (found) return Promise.resolve(found);
    const d = this.scheduler.deferred<IOService | undefined>();
    let timer: { cancel(): boolean } | undefined;
    const n = this.notifications.add(gIOMatchedNotification, matching, (s, self) => {
      self.remove();
      timer?.cancel();
      d.resolve(s);
    });
    if (Number.isFinite(timeoutMs)) timer = this.scheduler.postAfter(timeoutMs * NS_PER_MS, () => {
      n.remove();
      d.resolve(undefined);
    });
    return d.promise;
  }

  /** Publishes a resource on IOResources (`publishResource`). */
  publishResource(key: string, value?: OSValue): void {
    this.resources.publishResource(key, value);
  }

  /** Runs the scheduler until nothing is due now (matching, termination, notifications settle). */
  runUntilIdle(): Promise<number> {
    return this.scheduler.runUntilIdle();
  }

  /** Whether `entry` is a service of this kernel that lookups can see. */
  isPublished(service: IOService): boolean {
    return this.#services.has(service);
  }

  // ---- diagnostics ----

  /** Rebuilds the root's `IOKitDiagnostics` (the `Classes` instance counts) as ioclasscount reads it. */
  refreshDiagnostics(): OSDictionary {
    // Divergence from XNU: only the class dictionary is kept; the byte totals (`Instance allocation`
    // and friends) have no meaning in a garbage-collected heap and are left out.
    const diag = new Map<string, OSValue>([["Classes", OSMetaClass.serializeClassDictionary(this.registry)]]);
    this.registry.root.setProperty("IOKitDiagnostics", diag);
    return diag;
  }

  /** The busy-interest fan-out the registry calls on every busy transition. */
  #busyChanged(entry: unknown, busy: number): void {
    if (!(entry instanceof IOService)) return;
    for (const h of this.notifications.interested(entry, gIOBusyInterest)) {
      try {
        h(kIOMessageServiceBusyStateChange, entry, busy);
      } catch (e) {
        this.log(`${entry.getName()}: busy interest handler threw: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}
