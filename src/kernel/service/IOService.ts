/**
 * IOService: a registry entry with a lifecycle — the base class of every nub and every driver.
 *
 * A driver is a TypeScript class that extends IOService, is defined with `OSMetaClass.define`, and
 * overrides the hooks Apple drivers override: `init`, `probe`, `start`, `stop`, `message`,
 * `requestTerminate`, `willTerminate`, `didTerminate`, `handleOpen`/`handleClose`. Matching allocates
 * it by class name with the kernel's registry as the only constructor argument, so drivers do not
 * declare constructors of their own (use `init`).
 *
 * This class holds the per-service state and the hooks' default behaviour; the machinery that runs
 * across services — matching passes, notifications, the three termination phases, busy waits — lives
 * in the kernel ({@link ServiceRuntime}, implemented by IOKernel), found through the entry's
 * registry. The split keeps this file free of imports of the machinery (no import cycles) and small.
 *
 * Resources: every started service owns a {@link ResourceStack}; whatever `start` acquires (timers,
 * event sources, notifiers) goes on it and is released in reverse order on stop, terminate or a
 * failed start.
 */
import { IOReturnError, ResourceStack, kIOReturnNotAttached, kIOReturnSuccess, kIOReturnUnsupported, type IOReturn } from "../../base/index.ts";
import type { OSDictionary, OSValue } from "../../libkern/index.ts";
import { OSMetaClass } from "../object/index.ts";
import {
  IORegistryEntry, kIOServiceBusyMax, kIOServiceFirstMatchState, kIOServiceInactiveState, kIOServiceMatchedState, kIOServiceRegisteredState,
  type IORegistryEntryOptions, type RegistryHost,
} from "../registry/index.ts";
import type { Scheduler } from "../scheduler/index.ts";
import type { InterruptProvider, IOWorkLoop } from "../workloop/index.ts";
import { kIOKernelThread, type ArbitrationLocks, type IOThread } from "./IOArbitration.ts";
import { IOInterruptLines } from "./IOInterruptLines.ts";
import {
  kIOMessageServiceIsAttemptingOpen, kIOMessageServiceIsRequestingClose, kIOMessageServiceWasClosed, kIOServiceSeize,
  type IOInterestType, type IONotificationType,
} from "./serviceConstants.ts";

/** A handle on a notification or interest registration. */
export interface IONotifierHandle {
  /** Stops delivery for good (`remove`). */
  remove(): void;
  disable(): void;
  enable(): void;
}

/** A general-interest or busy-interest handler: `(type, provider, argument) → IOReturn`. */
export type InterestHandler = (messageType: number, provider: IOService, argument: unknown) => IOReturn | void;

/** A matching-notification handler as drivers see it. */
export type ServiceNotificationHandler = (service: IOService, notifier: IONotifierHandle) => void;

/** The kernel machinery an IOService reaches through its registry. IOKernel implements it. */
export interface ServiceRuntime {
  readonly scheduler: Scheduler;
  /** The kernel's own work loop, the default for services without a provider's. */
  readonly workLoop: IOWorkLoop;
  /** Appends a line to the kernel log. */
  log(line: string): void;
  registerService(service: IOService, options: number): void;
  terminate(service: IOService, options: number): boolean;
  /** Queues `client.stop(provider)` + close + detach for the termination thread. */
  scheduleStop(client: IOService, provider: IOService): void;
  /** Re-runs phase 2 for terminations held by `setTerminateDefer`. */
  resumeTermination(): void;
  /** Detach side effects: instance set, busy hand-over, rematch, phase-3 finalize. */
  serviceDetached(service: IOService, provider: IOService): void;
  /** Delivers a message to the general-interest handlers of `service`, except `except`. */
  messageInterested(service: IOService, type: number, argument: unknown, except?: unknown): void;
  registerInterest(service: IOService, type: IOInterestType, handler: InterestHandler): IONotifierHandle;
  waitQuiet(service: IOService, timeoutMs: number): Promise<IOReturn>;
  getResources(): IOService;
  addMatchingNotification(type: IONotificationType, matching: OSDictionary, handler: ServiceNotificationHandler, priority?: number): IONotifierHandle;
  readonly arbitration: ArbitrationLocks<IOService>;
  getMatchingServices(matching: OSDictionary): IOService[];
  waitForMatchingService(matching: OSDictionary, timeoutMs?: number): Promise<IOService | undefined>;
}

const runtimes = new WeakMap<RegistryHost, ServiceRuntime>();

/** Binds the kernel machinery to a registry (IOKernel does this at boot). */
export function bindServiceRuntime(registry: RegistryHost, runtime: ServiceRuntime): void {
  runtimes.set(registry, runtime);
}

/** Termination bookkeeping (`__state[1]` bits in xnu). @internal */
export interface TerminationState {
  rematchOnDetach: boolean;
  phase3: boolean;
  finalized: boolean;
  /** The +1 busy taken in phase 1, still held until the victim is fully detached. */
  busyHeld: boolean;
  /** `stop(provider)` calls waiting for this (inactive, unfinalized) client's finalize. */
  deferredStops: IOService[];
  /** Set by `setTerminateDefer(provider, true)`: the provider's phase 2 waits for this client. */
  deferProvider: boolean;
}

/** The base class of nubs and drivers; as a nub it is the InterruptProvider of IOInterruptEventSource. */
export class IOService extends IORegistryEntry implements InterruptProvider {
  #owner: IOService | null = null;
  #interrupts: IOInterruptLines | undefined;
  #resources = new ResourceStack();
  /** @internal Termination bookkeeping. */
  readonly termination: TerminationState = { rematchOnDetach: false, phase3: false, finalized: false, busyHeld: false, deferredStops: [], deferProvider: false };
  /** @internal Set while this service's matching runs inline (`kIOServiceSynchronous`). */
  synchronousState = false;

  constructor(registry: RegistryHost, options: IORegistryEntryOptions = {}) {
    super(registry, options);
  }

  /** The kernel machinery this service belongs to. */
  protected runtime(): ServiceRuntime {
    const rt = runtimes.get(this.registry);
    if (!rt) throw new IOReturnError(kIOReturnNotAttached, `${this.getName()}: registry has no kernel runtime`);
    return rt;
  }

  /** Whatever `start()` acquired; disposed on stop, terminate or a failed start. */
  get resources(): ResourceStack {
    if (this.#resources.disposed) this.#resources = new ResourceStack();
    return this.#resources;
  }

  /** @internal Releases the start-time resources. */
  disposeResources(): void {
    this.#resources.dispose();
  }

  // ---- hooks drivers override ----

  /** `init(dict)`: the property table (a personality copy for drivers). */
  init(properties?: OSDictionary): boolean {
    if (properties) this.setProperties(properties);
    return true;
  }

  /**
   * `probe(provider, &score)`: return the (possibly changed) score to stay a candidate, or null to
   * decline. Runs attached to the provider, before any driver of the nub is started.
   */
  probe(_provider: IOService, score: number): number | null {
    return score;
  }

  /** `start(provider)`: false (or a throw) makes matching try the next candidate. */
  start(_provider: IOService): boolean {
    return true;
  }

  /** `stop(provider)`: undo `start`. Runs on the termination thread, leaves first. */
  stop(_provider: IOService): void {}

  /** A message from a provider or through interest (`message`). */
  message(_type: number, _provider: IOService, _argument?: unknown): IOReturn {
    return kIOReturnUnsupported;
  }

  /** Phase 1: should this client terminate with `provider`? Default: only if it is its only provider. */
  requestTerminate(provider: IOService, _options: number): boolean {
    const providers = this.getProviders();
    return providers.length === 0 || (providers.length === 1 && providers[0] === provider);
  }

  /** Phase 2: `provider` is about to terminate. */
  willTerminate(_provider: IOService, _options: number): boolean {
    return true;
  }

  /**
   * Phase 2, deepest first: `provider` terminated. The default schedules `stop` unless the client
   * still has the provider open, in which case it asks itself to close and otherwise waits for
   * `close()`. Returns `defer` (true: the client will finish termination itself).
   */
  didTerminate(provider: IOService, _options: number): boolean {
    if (!provider.isOpen(this)) {
      this.runtime().scheduleStop(this, provider);
      return false;
    }
    this.message(kIOMessageServiceIsRequestingClose, provider, 0);
    if (!provider.isOpen(this)) this.runtime().scheduleStop(this, provider);
    return false;
  }

  // ---- topology ----

  /**
   * `attach(provider)`: fails on an inactive provider, and on a provider that already has more than
   * 1019 clients (`kIOServiceBusyMax - 4`). A busy service makes its new first provider busier.
   */
  attach(provider: IOService): boolean {
    if (provider.isInactive()) return false;
    if (provider.childCount("IOService") > kIOServiceBusyMax - 4 && !this.isParent(provider, "IOService")) {
      // Divergence from XNU: xnu waits up to 15 s for clients to detach; a synchronous attach cannot
      // wait, so it logs the same line and fails at once.
      this.runtime().log(`stalling for detach from ${provider.getName()}`);
      return false;
    }
    const first = this.getProvider() === undefined;
    const linked = this.attachToParent(provider, "IOService");
    if (linked && first && this.busyState > 0) provider.adjustBusy(1);
    return true;
  }

  /** `detach(provider)`: removes the link; busy accounting moves off the provider. */
  detach(provider: IOService): void {
    const wasFirst = this.getProvider() === provider;
    if (!this.isParent(provider, "IOService")) return;
    this.retain();
    try {
      const busy = this.busyState > 0;
      this.detachFromParent(provider, "IOService");
      if (busy && wasFirst) {
        provider.adjustBusy(-1);
        this.getProvider()?.adjustBusy(1);
      }
      this.runtime().serviceDetached(this, provider);
    } finally {
      this.release();
    }
  }

  /** The first provider in the IOService plane. */
  getProvider(): IOService | undefined {
    const p = this.getParentEntry("IOService");
    return p instanceof IOService ? p : undefined;
  }

  getProviders(): IOService[] {
    return this.getParentEntries("IOService").filter((e): e is IOService => e instanceof IOService);
  }

  getClient(): IOService | undefined {
    return this.getClients()[0];
  }

  getClients(): IOService[] {
    return this.getChildEntries("IOService").filter((e): e is IOService => e instanceof IOService);
  }

  // ---- state ----

  isInactive(): boolean {
    return (this.state & kIOServiceInactiveState) !== 0;
  }

  isRegistered(): boolean {
    return (this.state & kIOServiceRegisteredState) !== 0;
  }

  isMatched(): boolean {
    return (this.state & kIOServiceMatchedState) !== 0;
  }

  hasFirstMatched(): boolean {
    return (this.state & kIOServiceFirstMatchState) !== 0;
  }

  /** `getBusyState()`. */
  getBusyState(): number {
    return this.busyState;
  }

  /** The kext that defined this service's class (`getMetaClass()->getKmodName()`), "" for the kernel. */
  getKmodName(): string {
    return OSMetaClass.of(this)?.kmodName ?? "";
  }

  // ---- lifecycle entry points ----

  /** `registerService(options)`: publish the service and start matching on it. */
  registerService(options = 0): void {
    this.runtime().registerService(this, options);
  }

  /** `terminate(options)`: phase 1 now, the rest on the termination thread. False if already inactive. */
  terminate(options = 0): boolean {
    return this.runtime().terminate(this, options);
  }

  /**
   * `setTerminateDefer(provider, defer)`: while deferring, the provider's termination does not enter
   * phase 2 (the client may finish outstanding I/O); lifting it lets termination continue.
   */
  setTerminateDefer(_provider: IOService, defer: boolean): void {
    this.termination.deferProvider = defer;
    if (!defer) this.runtime().resumeTermination();
  }

  /** Resolves with kIOReturnSuccess when the busy count reaches 0, or kIOReturnTimeout (`waitQuiet`). */
  waitQuiet(timeoutMs = Infinity): Promise<IOReturn> {
    return this.runtime().waitQuiet(this, timeoutMs);
  }

  /** The work loop: the provider's, up to the kernel's. */
  getWorkLoop(): IOWorkLoop {
    return this.getProvider()?.getWorkLoop() ?? this.runtime().workLoop;
  }

  /** The IOResources service. */
  getResources(): IOService {
    return this.runtime().getResources();
  }

  /** `registerInterest(type, handler)`: general-interest messages or busy-state changes of this service. */
  registerInterest(type: IOInterestType, handler: InterestHandler): IONotifierHandle {
    return this.runtime().registerInterest(this, type, handler);
  }

  /**
   * `IOService::addMatchingNotification(type, matching, handler, priority)`: services already in the
   * required state are delivered before this returns. Put the handle on `resources` in `start` so it
   * goes away with the driver.
   */
  addMatchingNotification(type: IONotificationType, matching: OSDictionary, handler: ServiceNotificationHandler, priority = 0): IONotifierHandle {
    return this.runtime().addMatchingNotification(type, matching, handler, priority);
  }

  /** `IOService::getMatchingServices(matching)`: matched, active services only. */
  getMatchingServices(matching: OSDictionary): IOService[] {
    return this.runtime().getMatchingServices(matching);
  }

  /** `IOService::waitForMatchingService(matching, timeout)`. */
  waitForMatchingService(matching: OSDictionary, timeoutMs = Infinity): Promise<IOService | undefined> {
    return this.runtime().waitForMatchingService(matching, timeoutMs);
  }

  /** Writes a line to the kernel log. */
  IOLog(line: string): void {
    this.runtime().log(line);
  }

  // ---- messages ----

  /** Sends `type` to every client, then to general-interest handlers (`messageClients`). */
  messageClients(type: number, argument?: unknown): IOReturn {
    for (const c of this.getClients()) this.messageClient(type, c, argument);
    this.runtime().messageInterested(this, type, argument);
    return kIOReturnSuccess;
  }

  /** Sends `type` to one client; a throwing client is logged and counts as unsupported. */
  messageClient(type: number, client: IOService, argument?: unknown): IOReturn {
    try {
      return client.message(type, this, argument);
    } catch (e) {
      this.runtime().log(`${client.getName()}::message(0x${type.toString(16)}) threw: ${e instanceof Error ? e.message : String(e)}`);
      return kIOReturnUnsupported;
    }
  }

  // ---- open/close arbitration ----

  /**
   * `lockForArbitration(isSuccessRequired)` for `thread` (default: the kernel thread). A non-required
   * request fails when another thread holds the lock.
   * @throws {BugError} for a required request on a lock another thread holds; use lockForArbitrationAsync.
   */
  lockForArbitration(isSuccessRequired = true, thread: IOThread = kIOKernelThread): boolean {
    return this.runtime().arbitration.lock(this, thread, isSuccessRequired);
  }

  /** `lockForArbitration` from an activity that may wait; false when a non-required wait would deadlock. */
  lockForArbitrationAsync(isSuccessRequired: boolean, thread: IOThread): Promise<boolean> {
    return this.runtime().arbitration.lockAsync(this, thread, isSuccessRequired);
  }

  unlockForArbitration(thread: IOThread = kIOKernelThread): void {
    this.runtime().arbitration.unlock(this, thread);
  }

  /**
   * `open(forClient, options, arg)`: tells interested parties, fails on an inactive service, then
   * asks `handleOpen`.
   */
  open(forClient: IOService, options = 0, argument?: unknown): boolean {
    this.runtime().messageInterested(this, kIOMessageServiceIsAttemptingOpen, forClient, forClient);
    if (this.isInactive()) return false;
    return this.handleOpen(forClient, options, argument);
  }

  /** `close(forClient)`: clears the owner; in phase 3 this schedules the client's stop. */
  close(forClient: IOService, options = 0): void {
    if (!this.handleIsOpen(forClient)) return;
    this.handleClose(forClient, options);
    if (this.termination.phase3) this.runtime().scheduleStop(forClient, this);
    else for (const c of this.getClients()) if (c !== forClient) this.messageClient(kIOMessageServiceWasClosed, c, forClient);
  }

  /** `isOpen(client)`; with no client, "open by anyone". */
  isOpen(forClient?: IOService): boolean {
    return this.handleIsOpen(forClient ?? null);
  }

  /** Exclusive open: succeeds with no owner; `kIOServiceSeize` asks the owner to close first. */
  handleOpen(forClient: IOService, options: number, _argument?: unknown): boolean {
    if (this.#owner === null) {
      this.#owner = forClient;
      return true;
    }
    if ((options & kIOServiceSeize) === 0) return false;
    const owner = this.#owner;
    const r = this.messageClient(kIOMessageServiceIsRequestingClose, owner, options);
    if (r !== kIOReturnSuccess || this.#owner !== null) return false;
    this.#owner = forClient;
    return true;
  }

  handleClose(forClient: IOService, _options: number): void {
    if (this.#owner === forClient) this.#owner = null;
  }

  handleIsOpen(forClient: IOService | null): boolean {
    return forClient === null ? this.#owner !== null : this.#owner === forClient;
  }

  // ---- interrupts (the nub side of IOInterruptEventSource) ----

  /** The nub's interrupt lines; families add them (`interruptLines.add(type)`). */
  get interruptLines(): IOInterruptLines {
    return (this.#interrupts ??= new IOInterruptLines());
  }

  getInterruptType(index: number): number | undefined {
    return this.#interrupts?.type(index);
  }

  registerInterrupt(index: number, handler: () => void): void {
    this.interruptLines.register(index, handler);
  }

  unregisterInterrupt(index: number): void {
    this.interruptLines.unregister(index);
  }

  enableInterrupt(index: number): void {
    this.interruptLines.enable(index);
  }

  disableInterrupt(index: number): void {
    this.interruptLines.disable(index);
  }

  /** Raises interrupt `index` (`causeInterrupt`): the handler runs now, in primary context. */
  causeInterrupt(index: number): void {
    this.interruptLines.cause(index);
  }

  /** A property as a string, or undefined. */
  stringProperty(key: string): string | undefined {
    const v: OSValue | undefined = this.getProperty(key);
    return typeof v === "string" ? v : undefined;
  }
}
OSMetaClass.define(IOService, "IOService");

/** A service constructor as matching allocates it. */
export type IOServiceClass = new (registry: RegistryHost, options?: IORegistryEntryOptions) => IOService;
