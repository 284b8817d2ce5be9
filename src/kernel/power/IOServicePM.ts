/**
 * IOServicePM: one service's power management — its power-state table, power clients, place in
 * the power tree, and the state machine that carries a power change through the handshake.
 *
 * Mechanism. A change moves the service from `currentPowerState` to a target. Changes of one
 * service never overlap: they wait in `#changes`. A change runs as steps, each an item on the
 * kernel's PM work queue (IOPMWorkQueue, FIFO):
 *
 *   1. interested drivers get `powerStateWillChangeTo` and may acknowledge later;
 *   2. on a power drop, every ready power child is told the domain will drop (a "parent change" is
 *      queued on the child); the service waits for all of them to acknowledge, so children lower
 *      power before their parent;
 *   3. the controlling driver's `setPowerState(target, service)` runs: `kIOPMAckImplied` (or any
 *      value ≤ 0) means done; a positive value is the longest time in µs before
 *      `acknowledgeSetPowerState()`, raised to 10 s and turned into 100 ms ticks
 *      (`µs/100000 + 1`), after which the change goes on as if acknowledged, with a log line or a
 *      simulated panic (PMContext's policy);
 *   4. the settle time of the state (`settleUpTime`/`settleDownTime`, µs) passes;
 *   5. interested drivers get `powerStateDidChangeTo`;
 *   6. on a power rise, every ready child is told the domain did rise and raises itself to what it
 *      wants and the new domain allows; the service waits for them, so parents raise first;
 *   7. the change finishes: the parent change is acknowledged to the parent, the child's standing
 *      request on its parent is updated, and the next change (or a re-evaluation) starts.
 *
 * Since a parent notifies all its children at once and each child's work goes to the back of the
 * FIFO, siblings are handled in IOPower-plane order, breadth first, as xnu's notifyChildren does
 * without strict tree ordering.
 *
 * State. The desired state is the maximum (by state order) over the power clients
 * (`DevicePowerState`, `DriverPowerState`, `ChildrenPowerState`, `ChildProxyPowerState`,
 * `AdvisoryTicklePowerState`): ChildProxy is ignored while real children exist; Driver and
 * Children are ignored while an override is on; the temporary clamp counts; the result is capped
 * at the highest state. The state actually requested is the desired one limited by what the
 * parent's output power character allows. Every wait is bounded: driver deadlines fire, children
 * acknowledge when their own (bounded) changes end.
 */
import { kIOReturnBadArgument, kIOReturnSuccess, type IOReturn } from "../../base/index.ts";
import { num, type OSNumber, type OSValue } from "../../libkern/index.ts";
import { NS_PER_MS, type TaskHandle } from "../scheduler/index.ts";
import type { IOService } from "../service/index.ts";
import { highestState, type IOPMPowerState, type PowerStateTable } from "./IOPMPowerState.ts";
import type { PMContext } from "./PMContext.ts";
import { formatPanicLog } from "./panicLog.ts";
import {
  ACK_TIMER_PERIOD_MS, gIOPMPowerClientChildProxy, gIOPMPowerClientChildren, gIOPMPowerClientDriver, kIOPMTardyAckPSCKey, kIOPMTardyAckSPSKey,
  kMinAckTimeoutUS,
} from "./pmConstants.ts";

/** xnu's machine states (IOServicePMPrivate.h) as `MachineState` shows them. */
export const kIOPM_Finished = 0;
export const kIOPM_OurChangeNotifyInterestedDriversWillChange = 4;
export const kIOPM_OurChangeSetPowerState = 5;
export const kIOPM_OurChangeWaitForPowerSettle = 6;
export const kIOPM_OurChangeNotifyInterestedDriversDidChange = 7;
export const kIOPM_OurChangeFinish = 9;
export const kIOPM_ParentChangeNotifyInterestedDriversWillChange = 11;
export const kIOPM_ParentChangeSetPowerState = 12;
export const kIOPM_ParentChangeWaitForPowerSettle = 13;
export const kIOPM_ParentChangeNotifyInterestedDriversDidChange = 14;
export const kIOPM_ParentChangeAcknowledgePowerChange = 16;
export const kIOPM_NotifyChildrenStart = 17;

interface Change {
  /** Requested state (our change) — recomputed against the domain when the change starts. */
  target: number;
  /** Parent-initiated: the parent's output power character after (rise) or during (drop) its change. */
  readonly parentFlags?: number;
  readonly rise?: boolean;
  /** Acknowledges the parent. */
  readonly done?: () => void;
}

/** The parent↔child link as the state machine uses it (PowerLink implements it). */
export interface PowerLink {
  parentPM: IOServicePM | null;
  childPM: IOServicePM | null;
  desiredDomainState: number;
  readyFlag: boolean;
  awaitingAck: boolean;
}

interface Informee {
  readonly driver: IOService;
  awaiting: boolean;
  timer: TaskHandle | undefined;
}

/** One completed transition, for tools that time them (`iokit cycle sleep`). */
export interface PowerTransition {
  readonly service: IOService;
  readonly from: number;
  readonly to: number;
  readonly startNs: number;
  readonly endNs: number;
  readonly timedOut: boolean;
}

/** A kernel-pointer-looking value for log lines (xnu prints obfuscated pointers). */
export const fakePointer = (s: IOService): string => `0xffffff80${(Number(s.entryID & 0xffffffffn) * 64).toString(16).padStart(8, "0").slice(-8)}`;

/** The bundle a driver came from, for log lines. */
export const bundleOf = (s: IOService): string => s.stringProperty("CFBundleIdentifier") || s.getKmodName() || "__kernel__";

/** Shared immutable OSNumbers for the small values IOPowerManagement holds (states, flags). */
const SMALL = Array.from({ length: 64 }, (_, i) => num(i, 32));
const n32 = (v: number): OSNumber => (v >= 0 && v < 64 ? SMALL[v]! : num(v, 32));

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class IOServicePM {
  readonly service: IOService;
  readonly ctx: PMContext;
  driver: IOService | null = null;
  table: PowerStateTable | null = null;
  currentPowerState = 0;
  machineState = kIOPM_Finished;
  readonly clients = new Map<string, number>();
  #tempClamp: number | undefined;
  #overrideOn = false;
  /** The desired state, recomputed only after an input changed. */
  #desired = -1;
  parentConn: PowerLink | null = null;
  readonly childConns: PowerLink[] = [];
  readonly informees: Informee[] = [];
  /** The parent's current output power character (what this service may draw). */
  parentFlags: number | undefined;
  stopped = false;
  idleTimerPeriodS = 0;
  activityTickles = 0;
  lastTickleNs = -1;
  idleTimer: TaskHandle | undefined;
  /** Sees every finished transition (set by tools). */
  transitionObserver: ((t: PowerTransition) => void) | undefined;
  readonly #changes: Change[] = [];
  #head: Change | null = null;
  #headFrom = 0;
  #headTarget = 0;
  #headStart = 0;
  #headTimedOut = false;
  #waiting = 0;
  #cont: (() => void) | null = null;
  #driverAwaiting = false;
  #driverAckedEarly = false;
  #inDriverCall = false;
  #driverTimer: TaskHandle | undefined;
  #driverCallStart = 0;
  #adjustQueued = false;
  /** Power clients changed since the last publish. */
  #dirty = false;
  /** A change started and nobody outside this work-queue drain has seen its MachineState yet. */
  #startUnpublished = false;

  constructor(service: IOService, ctx: PMContext) {
    this.service = service;
    this.ctx = ctx;
  }

  // ---- state order helpers ----

  #ord(s: number): number {
    return this.table ? this.table.order[s]! : s;
  }

  #max(a: number, b: number): number {
    return this.#ord(b) > this.#ord(a) ? b : a;
  }

  #min(a: number, b: number): number {
    return this.#ord(b) < this.#ord(a) ? b : a;
  }

  get numberOfStates(): number {
    return this.table?.states.length ?? 0;
  }

  get highest(): number {
    return this.table ? highestState(this.table.order) : 0;
  }

  /** The lowest-ranked state. */
  get lowest(): number {
    if (!this.table) return 0;
    let best = 0;
    for (let i = 1; i < this.table.order.length; i++) if (this.table.order[i]! < this.table.order[best]!) best = i;
    return best;
  }

  state(i: number): IOPMPowerState | undefined {
    return this.table?.states[i];
  }

  /** The output power character this service gives its children now. */
  outputFlags(): number {
    if (!this.table) return this.parentFlags ?? 0xffffffff;
    return this.table.states[this.currentPowerState]!.outputPowerCharacter;
  }

  capabilityFlags(): number {
    return this.table?.states[this.currentPowerState]!.capabilityFlags ?? 0;
  }

  /** `maxCapabilityForDomainState`: the highest state whose input requirement `flags` satisfies. */
  maxStateForDomain(flags: number | undefined): number {
    if (!this.table) return 0;
    if (flags === undefined) return this.highest;
    let best = -1;
    for (let i = 0; i < this.table.states.length; i++) {
      const need = this.table.states[i]!.inputPowerRequirement;
      if ((need & flags) === need && (best < 0 || this.#ord(i) > this.#ord(best))) best = i;
    }
    return best < 0 ? this.lowest : best;
  }

  /** The temporary clamp (the initial state after registration, until reached). */
  get tempClamp(): number | undefined {
    return this.#tempClamp;
  }

  set tempClamp(v: number | undefined) {
    this.#tempClamp = v;
    this.#desired = -1;
  }

  /** `changePowerStateWithOverrideTo` in force: Driver and Children clients ignored. */
  get overrideOn(): boolean {
    return this.#overrideOn;
  }

  set overrideOn(v: boolean) {
    this.#overrideOn = v;
    this.#desired = -1;
  }

  /** Forgets the cached desired state (the table or the children changed). */
  invalidateDesired(): void {
    this.#desired = -1;
  }

  /** The desired state: the maximum over the power clients, with xnu's exceptions. */
  desiredState(): number {
    if (!this.table) return 0;
    if (this.#desired < 0) this.#desired = this.#computeDesired();
    return this.#desired;
  }

  #computeDesired(): number {
    if (!this.table) return 0;
    const hasChildren = this.childConns.length > 0;
    let d = this.lowest;
    for (const [client, value] of this.clients) {
      if (client === gIOPMPowerClientChildProxy && hasChildren) continue;
      if (this.overrideOn && (client === gIOPMPowerClientDriver || client === gIOPMPowerClientChildren)) continue;
      if (value >= 0 && value < this.table.states.length) d = this.#max(d, value);
      else if (value >= this.table.states.length) d = this.#max(d, this.highest);
    }
    if (this.tempClamp !== undefined) d = this.#max(d, this.tempClamp);
    return d;
  }

  /** Sets one power client's request (`requestPowerState`) and re-evaluates. */
  requestPowerState(client: string, state: number): IOReturn {
    if (!Number.isInteger(state) || state < 0) return kIOReturnBadArgument;
    this.clients.set(client, this.table && state >= this.table.states.length ? this.highest : state);
    this.#dirty = true;
    this.#desired = -1;
    this.adjustPowerState();
    return kIOReturnSuccess;
  }

  /** The parent state a child in `childState` needs (lowest-ranked parent state whose output covers it). */
  parentStateFor(parent: IOServicePM, childState: number): number {
    if (!this.table || !parent.table) return 0;
    const need = this.table.states[childState]!.inputPowerRequirement;
    let best = -1;
    for (let i = 0; i < parent.table.states.length; i++) {
      const out = parent.table.states[i]!.outputPowerCharacter;
      if ((out & need) === need && (best < 0 || parent.#ord(i) < parent.#ord(best))) best = i;
    }
    return best < 0 ? parent.highest : best;
  }

  /** Recomputes ChildrenPowerState from the connections. */
  updateChildrenRequest(): void {
    this.#desired = -1;
    if (this.childConns.length === 0) {
      if (this.clients.has(gIOPMPowerClientChildren)) this.clients.set(gIOPMPowerClientChildren, 0);
      return;
    }
    let m = this.lowest;
    for (const c of this.childConns) if (c.readyFlag) m = this.#max(m, c.desiredDomainState);
    if (this.clients.get(gIOPMPowerClientChildren) !== m) {
      this.#dirty = true;
      this.#desired = -1;
    }
    this.clients.set(gIOPMPowerClientChildren, m);
  }

  /** Tells the parent what this service needs of it now. */
  #updateDomainRequest(): void {
    const conn = this.parentConn;
    const parent = conn?.parentPM;
    if (!conn || !parent || !this.table) return;
    const want = this.parentStateFor(parent, this.#max(this.desiredState(), this.currentPowerState));
    if (want === conn.desiredDomainState && conn.readyFlag) return;
    conn.desiredDomainState = want;
    conn.readyFlag = true;
    parent.updateChildrenRequest();
    parent.adjustPowerState();
  }

  /**
   * Re-evaluates the desired state; queues an own change when the service should move, and asks
   * the parent for more power when the desired state needs it.
   */
  adjustPowerState(): void {
    if (this.stopped || !this.table) return;
    if (this.#adjustQueued) return;
    this.#adjustQueued = true;
    this.ctx.queue.push(() => this.#adjustNow());
  }

  #adjustNow(): void {
    this.#adjustQueued = false;
    if (this.stopped || !this.table) return;
    this.#updateDomainRequest();
    if (this.#head || this.#changes.length > 0) return;
    const target = this.#min(this.desiredState(), this.maxStateForDomain(this.parentFlags));
    if (target !== this.currentPowerState) this.#enqueue({ target });
    else if (this.#dirty) this.#publish();
  }

  /** The parent's domain will drop to `flags` (pre-change) or did rise to it (post-change). */
  parentChange(flags: number, rise: boolean, done: () => void): void {
    this.#enqueue({ target: 0, parentFlags: flags, rise, done });
  }

  #enqueue(c: Change): void {
    this.#changes.push(c);
    if (!this.#head) this.ctx.queue.push(() => this.#startNext());
  }

  #startNext(): void {
    if (this.#head || this.#changes.length === 0) return;
    const c = this.#changes.shift()!;
    if (this.stopped) {
      c.done?.();
      this.#startNext();
      return;
    }
    const from = this.currentPowerState;
    let target: number;
    if (c.parentFlags !== undefined) {
      this.parentFlags = c.parentFlags;
      const allowed = this.maxStateForDomain(c.parentFlags);
      target = c.rise ? this.#min(this.desiredState(), allowed) : this.#min(from, allowed);
    } else {
      target = this.#min(c.target, this.maxStateForDomain(this.parentFlags));
    }
    if (!this.table) {
      // A service without a power driver passes the domain through to its children.
      this.#head = c;
      this.#headFrom = from;
      this.#headTarget = from;
      this.#notifyChildren(c.parentFlags ?? this.outputFlags(), c.rise ?? false, () => this.#finish());
      return;
    }
    if (target === from) {
      c.done?.();
      this.ctx.queue.push(() => this.#startNext());
      return;
    }
    this.#head = c;
    this.#headFrom = from;
    this.#headTarget = target;
    this.#headStart = this.ctx.scheduler.now();
    this.#headTimedOut = false;
    const parent = c.parentFlags !== undefined;
    this.machineState = parent ? kIOPM_ParentChangeNotifyInterestedDriversWillChange : kIOPM_OurChangeNotifyInterestedDriversWillChange;
    this.#startUnpublished = true;
    this.#tellInformees(true, () => this.#childrenBefore());
  }

  #isDrop(): boolean {
    return this.#ord(this.#headTarget) < this.#ord(this.#headFrom);
  }

  // Divergence from XNU: children are told only about changes that affect them — a drop before it
  // happens, a rise after — while xnu also sends the other notification, which children
  // acknowledge without acting.
  #childrenBefore(): void {
    if (this.#isDrop()) {
      this.machineState = kIOPM_NotifyChildrenStart;
      const flags = this.table!.states[this.#headTarget]!.outputPowerCharacter;
      this.#notifyChildren(flags, false, () => this.#callDriver());
    } else this.#callDriver();
  }

  /** Tells every ready child about a domain change and continues once all have acknowledged. */
  #notifyChildren(flags: number, rise: boolean, then: () => void): void {
    const ready: PowerLink[] = [];
    for (const c of this.childConns) if (c.readyFlag && c.childPM !== null) ready.push(c);
    if (ready.length === 0) {
      then();
      return;
    }
    this.#wait(ready.length, then);
    for (const conn of ready) {
      conn.awaitingAck = true;
      conn.childPM!.parentChange(flags, rise, () => {
        if (!conn.awaitingAck) return;
        conn.awaitingAck = false;
        this.#ackOne();
      });
    }
  }

  #wait(n: number, then: () => void): void {
    this.#flushStart();
    this.#waiting = n;
    this.#cont = then;
  }

  #ackOne(): void {
    if (this.#waiting <= 0) return;
    if (--this.#waiting === 0) {
      const k = this.#cont!;
      this.#cont = null;
      this.ctx.queue.push(k);
    }
  }

  // ---- the controlling driver ----

  /**
   * Reads a driver's answer: undefined when done now, else the number of 100 ms ticks to wait.
   * Nonsense (not a number) is logged and treated as acknowledged; values are C `int`s, so huge
   * ones wrap negative and count as acknowledged, as in xnu.
   */
  #ticksFor(answer: unknown, driver: IOService, what: string): number | undefined {
    if (answer === undefined) return undefined;
    if (typeof answer !== "number" || Number.isNaN(answer)) {
      this.ctx.fault("nonsense", bundleOf(driver), driver.getName(), `${bundleOf(driver)}: ${driver.getName()}::${what} returned ${typeof answer === "number" ? "NaN" : typeof answer}, not an IOReturn; treated as acknowledged`);
      return undefined;
    }
    const v = Number.isFinite(answer) ? Math.trunc(answer) | 0 : -1;
    if (v <= 0) return undefined;
    const us = Math.max(v, kMinAckTimeoutUS);
    return Math.floor(us / 100_000) + 1;
  }

  #callDriver(): void {
    const driver = this.driver;
    const parent = this.#head?.parentFlags !== undefined;
    this.machineState = parent ? kIOPM_ParentChangeSetPowerState : kIOPM_OurChangeSetPowerState;
    if (!driver) {
      this.#settle();
      return;
    }
    this.#driverAwaiting = true;
    this.#driverAckedEarly = false;
    this.#driverCallStart = this.ctx.scheduler.now();
    let answer: unknown;
    this.#inDriverCall = true;
    try {
      answer = driver.setPowerState(this.#headTarget, this.service);
    } catch (e) {
      // Divergence from XNU: a C++ driver cannot throw here; a TypeScript one can, and is then
      // treated as having acknowledged at once, after a log line naming its bundle.
      this.ctx.fault("threw", bundleOf(driver), driver.getName(), `${bundleOf(driver)}: ${driver.getName()}::setPowerState(${fakePointer(this.service)}, ${this.#headFrom} -> ${this.#headTarget}) threw: ${messageOf(e)}; treated as acknowledged`);
      answer = 0;
    } finally {
      this.#inDriverCall = false;
    }
    if (this.ctx.queue.halted) return;
    const ticks = this.#ticksFor(answer, driver, `setPowerState(${fakePointer(this.service)}, ${this.#headFrom} -> ${this.#headTarget})`);
    if (ticks === undefined || this.#driverAckedEarly) {
      this.#driverAwaiting = false;
      this.#settle();
      return;
    }
    this.machineState = parent ? kIOPM_ParentChangeWaitForPowerSettle : kIOPM_OurChangeWaitForPowerSettle;
    this.#startUnpublished = true;
    this.#flushStart();
    this.#driverTimer = this.ctx.scheduler.postAfter(ticks * ACK_TIMER_PERIOD_MS * NS_PER_MS, () => this.#driverTimedOut(), "IOPM ack timer");
  }

  /** `acknowledgeSetPowerState()`: the driver finished an asynchronous setPowerState. */
  acknowledgeSetPowerState(): IOReturn {
    if (!this.#driverAwaiting || (this.#inDriverCall && this.#driverAckedEarly)) {
      const d = this.driver ?? this.service;
      this.ctx.fault("unexpectedAck", bundleOf(d), d.getName(), `${bundleOf(d)}: ${d.getName()}::acknowledgeSetPowerState: unexpected ack (no setPowerState outstanding); ignored`);
      return kIOReturnSuccess;
    }
    if (this.#inDriverCall) {
      this.#driverAckedEarly = true;
      return kIOReturnSuccess;
    }
    this.#driverAwaiting = false;
    this.#driverTimer?.cancel();
    this.#driverTimer = undefined;
    this.ctx.queue.push(() => this.#settle());
    return kIOReturnSuccess;
  }

  #driverTimedOut(): void {
    if (!this.#driverAwaiting || this.ctx.queue.halted) return;
    this.#driverAwaiting = false;
    this.#driverTimer = undefined;
    this.#headTimedOut = true;
    const driver = this.driver ?? this.service;
    const ms = Math.round((this.ctx.scheduler.now() - this.#driverCallStart) / NS_PER_MS);
    this.service.setProperty(kIOPMTardyAckSPSKey, true);
    const name = this.service.getName();
    this.ctx.fault("ackTimeout", bundleOf(driver), name, `${name}::setPowerState(${fakePointer(this.service)}, ${this.#headFrom} -> ${this.#headTarget}) timed out after ${ms} ms`);
    this.ctx.event("Failure", `${bundleOf(driver)}: ${name}::setPowerState(${this.#headFrom} -> ${this.#headTarget}) timed out after ${ms} ms`);
    const bundle = bundleOf(driver);
    const policy = this.ctx.ackTimeoutPolicy;
    const apple = bundle === "__kernel__" || bundle.startsWith("com.apple.");
    if (policy === "panic" || (policy === "release" && apple)) {
      // Divergence from XNU: the panic is simulated — the PM work queue halts and the kernel keeps
      // the panic log, which tools print; nothing else of the process stops.
      const message = `${name}::setPowerState(${fakePointer(this.service)} : ${fakePointer(driver)}, ${this.#headFrom} -> ${this.#headTarget}) timed out after ${ms} ms`;
      const version = driver.stringProperty("CFBundleVersion") ?? "1.0";
      this.ctx.panic(formatPanicLog({
        message, file: "/AppleInternal/Library/BuildRoots/iokit-ts/Library/Caches/com.apple.xbs/Sources/xnu/iokit/Kernel/IOServicePM.cpp", line: 0,
        ...(apple ? {} : { kext: { id: bundle, version } }),
      }));
      return;
    }
    this.ctx.queue.push(() => this.#settle());
  }

  #settle(): void {
    const s = this.table?.states[this.#headTarget];
    const us = s ? (this.#isDrop() ? s.settleDownTime ?? 0 : s.settleUpTime ?? 0) : 0;
    if (us > 0 && Number.isFinite(us)) {
      this.#flushStart();
      this.ctx.scheduler.postAfter(Math.min(us, 3_600_000_000) * 1000, () => this.ctx.queue.push(() => this.#didChange()), "IOPM settle timer");
    } else this.#didChange();
  }

  #didChange(): void {
    this.currentPowerState = this.#headTarget;
    const parent = this.#head?.parentFlags !== undefined;
    this.machineState = parent ? kIOPM_ParentChangeNotifyInterestedDriversDidChange : kIOPM_OurChangeNotifyInterestedDriversDidChange;
    this.#tellInformees(false, () => {
      if (!this.#isDrop()) {
        this.machineState = kIOPM_NotifyChildrenStart;
        this.#notifyChildren(this.outputFlags(), true, () => this.#finish());
      } else this.#finish();
    });
  }

  #finish(): void {
    const c = this.#head!;
    this.#head = null;
    this.machineState = kIOPM_Finished;
    if (this.table && this.#headFrom !== this.#headTarget) {
      if (this.tempClamp !== undefined && this.currentPowerState === this.tempClamp) this.tempClamp = undefined;
      try {
        this.driver?.powerChangeDone(this.#headFrom);
      } catch (e) {
        this.ctx.log(`${bundleOf(this.driver!)}: ${this.driver!.getName()}::powerChangeDone threw: ${messageOf(e)}`);
      }
      this.transitionObserver?.({ service: this.service, from: this.#headFrom, to: this.#headTarget, startNs: this.#headStart, endNs: this.ctx.scheduler.now(), timedOut: this.#headTimedOut });
    }
    this.#publish();
    c.done?.();
    if (this.#changes.length > 0) this.ctx.queue.push(() => this.#startNext());
    else if (!this.#adjustQueued) this.#adjustNow();
  }

  // ---- interested drivers ----

  #tellInformees(will: boolean, then: () => void): void {
    if (this.informees.length === 0 || !this.table) {
      then();
      return;
    }
    const flags = this.table.states[this.#headTarget]!.capabilityFlags;
    const what = will ? "powerStateWillChangeTo" : "powerStateDidChangeTo";
    const waiting: { inf: Informee; ticks: number }[] = [];
    for (const inf of [...this.informees]) {
      let answer: unknown;
      inf.awaiting = true;
      try {
        answer = will ? inf.driver.powerStateWillChangeTo(flags, this.#headTarget, this.service) : inf.driver.powerStateDidChangeTo(flags, this.#headTarget, this.service);
      } catch (e) {
        this.ctx.fault("threw", bundleOf(inf.driver), inf.driver.getName(), `${bundleOf(inf.driver)}: ${inf.driver.getName()}::${what} threw: ${messageOf(e)}; treated as acknowledged`);
        answer = 0;
      }
      if (!inf.awaiting) continue;
      const ticks = this.#ticksFor(answer, inf.driver, what);
      if (ticks === undefined) inf.awaiting = false;
      else waiting.push({ inf, ticks });
    }
    if (waiting.length === 0) {
      then();
      return;
    }
    this.#wait(waiting.length, then);
    for (const w of waiting) {
      const start = this.ctx.scheduler.now();
      w.inf.timer = this.ctx.scheduler.postAfter(w.ticks * ACK_TIMER_PERIOD_MS * NS_PER_MS, () => {
        if (!w.inf.awaiting) return;
        w.inf.awaiting = false;
        w.inf.timer = undefined;
        const ms = Math.round((this.ctx.scheduler.now() - start) / NS_PER_MS);
        this.service.setProperty(kIOPMTardyAckPSCKey, true);
        this.ctx.fault("informeeTimeout", bundleOf(w.inf.driver), w.inf.driver.getName(), `${w.inf.driver.getName()}::${what}(${fakePointer(w.inf.driver)}, ${this.#headFrom} -> ${this.#headTarget}) timed out after ${ms} ms`);
        this.#ackOne();
      }, "IOPM informee ack timer");
    }
  }

  /** `acknowledgePowerChange(driver)`: an interested driver finished its will/did-change work. */
  acknowledgePowerChange(driver: IOService): IOReturn {
    const inf = this.informees.find((i) => i.driver === driver);
    if (!inf || !inf.awaiting) {
      this.ctx.fault("unexpectedAck", bundleOf(driver), driver.getName(), `${bundleOf(driver)}: ${this.service.getName()}::acknowledgePowerChange from ${driver.getName()}: unexpected ack; ignored`);
      return kIOReturnSuccess;
    }
    inf.awaiting = false;
    if (inf.timer) {
      inf.timer.cancel();
      inf.timer = undefined;
      this.#ackOne();
    }
    return kIOReturnSuccess;
  }

  // ---- properties ----

  /**
   * Publishes the in-progress state once the change is about to wait (for acknowledgements, a
   * settle time): a change that completes within one drain of the work queue is never observable
   * half-way from another task, so it is published only when it ends.
   */
  // Divergence from XNU: see above; xnu's IOPowerManagement is serialized on demand and can show a
  // MachineState at any instant.
  #flushStart(): void {
    if (this.#startUnpublished) this.#publish();
  }

  /** Rewrites `IOPowerManagement` as xnu's gatedSerialize lays it out. */
  #publish(): void {
    this.#dirty = false;
    this.#startUnpublished = false;
    this.service.setProperty("IOPowerManagement", this.serialize());
  }

  /** The `IOPowerManagement` dictionary. */
  serialize(): Map<string, OSValue> {
    const d = new Map<string, OSValue>();
    for (const [k, v] of this.clients) d.set(k, n32(v));
    const current = this.table ? this.currentPowerState : this.clients.get(gIOPMPowerClientChildren) ?? this.currentPowerState;
    d.set("CurrentPowerState", n32(current));
    if (this.table) {
      const desired = this.#min(this.desiredState(), this.maxStateForDomain(this.parentFlags));
      // Current xnu always shows CapabilityFlags once a driver registered (modern dumps have
      // "CapabilityFlags"=0); releases up to 10.8 left a zero out.
      d.set("CapabilityFlags", n32(this.capabilityFlags()));
      d.set("MaxPowerState", n32(this.table.states.length - 1));
      if (desired !== this.currentPowerState) d.set("DesiredPowerState", n32(desired));
    }
    if (this.machineState !== kIOPM_Finished) d.set("MachineState", n32(this.machineState));
    if (this.overrideOn) d.set("PowerOverrideOn", true);
    if (this.idleTimerPeriodS > 0) {
      d.set("IdleTimerPeriod", num(this.idleTimerPeriodS * 1000, 32));
      d.set("ActivityTickles", num(this.activityTickles, 32));
      if (this.lastTickleNs >= 0) d.set("TimeSinceLastTickle", num(Math.floor((this.ctx.scheduler.now() - this.lastTickleNs) / NS_PER_MS), 32));
    }
    return d;
  }

  /** Publishes the properties now (after registration or client changes). */
  publish(): void {
    this.#publish();
  }

  /** Whether a change is in progress or queued. */
  get busy(): boolean {
    return this.#head !== null || this.#changes.length > 0;
  }

  /** Drops queued work and timers (PMstop). Waiting parents are acknowledged. */
  stop(): void {
    this.stopped = true;
    this.#driverTimer?.cancel();
    this.idleTimer?.cancel();
    for (const inf of this.informees) inf.timer?.cancel();
    this.informees.length = 0;
    const pending = [...this.#changes];
    this.#changes.length = 0;
    const head = this.#head;
    this.#head = null;
    this.#cont = null;
    this.#waiting = 0;
    this.#driverAwaiting = false;
    for (const c of head ? [head, ...pending] : pending) c.done?.();
  }
}
