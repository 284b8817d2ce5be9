/**
 * The power-management methods of IOService, with Apple's names and signatures: `PMinit`,
 * `joinPMtree`, `registerPowerDriver`, `changePowerStateTo`, `acknowledgeSetPowerState`, … and the
 * hooks drivers override (`setPowerState`, `powerStateWillChangeTo`, …).
 *
 * They are installed on IOService's prototype and declared by module augmentation, so drivers write
 * `this.PMinit()` and `override setPowerState(…)` exactly as in C++, while IOService.ts (the
 * runtime's file) needs no power-management code. The state lives in an {@link IOServicePM} per
 * service, kept in a WeakMap; the kernel-wide part (work queue, policy, log) in a {@link PMContext}
 * found through the registry.
 */
import { kIOReturnBadArgument, kIOReturnSuccess, type IOReturn } from "../../base/index.ts";
import { IOService } from "../service/index.ts";
import { validatePowerStates, type IOPMPowerState } from "./IOPMPowerState.ts";
import { IOPowerConnection } from "./IOPowerConnection.ts";
import { IOServicePM } from "./IOServicePM.ts";
import { pmContextFor, type PMContext } from "./PMContext.ts";
import {
  gIOPMPowerClientChildProxy, gIOPMPowerClientDevice, gIOPMPowerClientDriver, gIOPowerPlane, IOPMAckImplied, IOPMNotYetInitialized, kIOPMDeviceUsable,
} from "./pmConstants.ts";

/** `kIOPMSuperclassPolicy1`: the activity-tickle type of the idle-timer policy. */
export const kIOPMSuperclassPolicy1 = 1;

declare module "../service/IOService.ts" {
  interface IOService {
    /** `PMinit()`: prepares power management; must precede every other PM call. */
    PMinit(): void;
    /** `PMstop()`: leaves the power tree; no setPowerState runs after it returns. */
    PMstop(): void;
    /** `joinPMtree(driver)`: called on the provider; attaches `driver` in the IOPower plane under its power parent. */
    joinPMtree(driver: IOService): void;
    /** `registerPowerDriver(driver, states, numberOfStates)`. */
    registerPowerDriver(driver: IOService, states: readonly IOPMPowerState[] | null, numberOfStates?: number): IOReturn;
    /** `registerInterestedDriver(driver)`: `driver` hears `powerStateWillChangeTo`/`DidChangeTo`; returns the current capability flags. */
    registerInterestedDriver(driver: IOService): number;
    deRegisterInterestedDriver(driver: IOService): IOReturn;
    /** `addPowerChild(child)`: links `child` under this service in the IOPower plane. */
    addPowerChild(child: IOService): IOReturn;
    removePowerChild(child: IOService): IOReturn;
    /** `acknowledgeSetPowerState()`: the controlling driver finished an asynchronous setPowerState. */
    acknowledgeSetPowerState(): IOReturn;
    /** `acknowledgePowerChange(driver)`: an interested driver finished. */
    acknowledgePowerChange(driver: IOService): IOReturn;
    /** `changePowerStateTo(n)`: sets the `DriverPowerState` client. */
    changePowerStateTo(ordinal: number): IOReturn;
    /** `changePowerStateToPriv(n)`: sets the `DevicePowerState` client. */
    changePowerStateToPriv(ordinal: number): IOReturn;
    /** `changePowerStateWithOverrideTo(n)`: the Device client with Driver and Children ignored. */
    changePowerStateWithOverrideTo(ordinal: number): IOReturn;
    /** `makeUsable()`: `DevicePowerState` to the highest state. */
    makeUsable(): IOReturn;
    /** `temporaryPowerClampOn()`: `ChildProxyPowerState` to the highest state. */
    temporaryPowerClampOn(): IOReturn;
    /** `activityTickle(type, stateNumber)`: true when the device is already in `stateNumber` or above. */
    activityTickle(type: number, stateNumber: number): boolean;
    /** `setIdleTimerPeriod(seconds)`: without tickles for that long, the device drops one state. */
    setIdleTimerPeriod(seconds: number): IOReturn;
    /** `getPowerState()`: the current state index. */
    getPowerState(): number;
    /** Whether `PMinit` has run and `PMstop` has not. */
    isPMInitialized(): boolean;
    // ---- hooks drivers override ----
    /** `setPowerState(ordinal, whatDevice)`: `kIOPMAckImplied` (0), or the longest µs before `acknowledgeSetPowerState`. */
    setPowerState(powerStateOrdinal: number, whatDevice: IOService): number;
    powerStateWillChangeTo(capabilities: number, stateNumber: number, whatDevice: IOService): number;
    powerStateDidChangeTo(capabilities: number, stateNumber: number, whatDevice: IOService): number;
    /** `initialPowerStateForDomainState(flags)`: the state to move to after registration. */
    initialPowerStateForDomainState(domainFlags: number): number;
    maxCapabilityForDomainState(domainFlags: number): number;
    powerChangeDone(previousState: number): void;
  }
}

const pms = new WeakMap<IOService, IOServicePM>();

/** The PM state of a service, if `PMinit` ran on it. */
export function pmOf(service: IOService): IOServicePM | undefined {
  return pms.get(service);
}

/** The PM context of a service's kernel (created on first use). */
export function pmContextOf(service: IOService): PMContext {
  const wl = service.getWorkLoop();
  return pmContextFor(service.registry, wl.scheduler, (l) => service.IOLog(l));
}

/** Finds (or installs) the root domain of a service's kernel; set by IOPMrootDomain. */
export let rootDomainResolver: ((service: IOService) => IOService | undefined) | undefined;

/** @internal IOPMrootDomain registers how to find the root domain. */
export function setRootDomainResolver(r: (service: IOService) => IOService | undefined): void {
  rootDomainResolver = r;
}

const P = IOService.prototype;

P.PMinit = function (this: IOService): void {
  if (pms.has(this)) return;
  pms.set(this, new IOServicePM(this, pmContextOf(this)));
};

P.isPMInitialized = function (this: IOService): boolean {
  return pms.has(this);
};

P.PMstop = function (this: IOService): void {
  const pm = pms.get(this);
  if (!pm) return;
  pm.stop();
  for (const conn of [...pm.childConns]) {
    const child = conn.childPM;
    if (child) this.removePowerChild(child.service);
  }
  const parent = pm.parentConn?.parentPM;
  if (parent) parent.service.removePowerChild(this);
  this.removeProperty("IOPowerManagement");
  pms.delete(this);
};

P.joinPMtree = function (this: IOService, driver: IOService): void {
  // Divergence from XNU: the platform's PMRegisterDevice is modelled as "the nearest provider
  // (starting at this nub) that is already in the power tree, else the root domain".
  driver.PMinit();
  for (let s: IOService | undefined = this; s; s = s.getProvider()) {
    const pm = pms.get(s);
    if (pm && s !== driver && (pm.parentConn !== null || pm.childConns.length > 0 || s.inPlane(gIOPowerPlane))) {
      s.addPowerChild(driver);
      return;
    }
  }
  const root = rootDomainResolver?.(this);
  if (root && root !== driver) root.addPowerChild(driver);
};

P.addPowerChild = function (this: IOService, child: IOService): IOReturn {
  this.PMinit();
  child.PMinit();
  const parent = pms.get(this)!;
  const pm = pms.get(child)!;
  if (pm.parentConn) return kIOReturnBadArgument;
  const conn = new IOPowerConnection(this.registry);
  conn.attachToParent(this, gIOPowerPlane);
  child.attachToParent(conn, gIOPowerPlane);
  conn.release();
  conn.parentPM = parent;
  conn.childPM = pm;
  conn.readyFlag = true;
  pm.parentConn = conn;
  pm.parentFlags = parent.outputFlags();
  parent.childConns.push(conn);
  parent.invalidateDesired();
  if (pm.table) pm.adjustPowerState();
  return kIOReturnSuccess;
};

P.removePowerChild = function (this: IOService, child: IOService): IOReturn {
  const parent = pms.get(this);
  const pm = pms.get(child);
  const conn = pm?.parentConn;
  if (!parent || !pm || !(conn instanceof IOPowerConnection) || conn.parentPM !== parent) return kIOReturnBadArgument;
  const i = parent.childConns.indexOf(conn);
  if (i >= 0) parent.childConns.splice(i, 1);
  if (conn.awaitingAck) {
    conn.awaitingAck = false;
    pm.parentChange(parent.outputFlags(), false, () => {});
  }
  pm.parentConn = null;
  conn.parentPM = null;
  conn.childPM = null;
  conn.retain();
  child.detachFromParent(conn, gIOPowerPlane);
  conn.detachFromParent(this, gIOPowerPlane);
  conn.release();
  parent.updateChildrenRequest();
  parent.adjustPowerState();
  return kIOReturnSuccess;
};

P.registerPowerDriver = function (this: IOService, driver: IOService, states: readonly IOPMPowerState[] | null, numberOfStates?: number): IOReturn {
  const pm = pms.get(this);
  if (!pm) return IOPMNotYetInitialized;
  if (!(driver instanceof IOService)) return kIOReturnBadArgument;
  const { result, table } = validatePowerStates(states, numberOfStates ?? states?.length ?? 0);
  if (!table) return result;
  pm.ctx.queue.push(() => {
    if (pm.table || pm.stopped) return; // only the first registration counts
    pm.table = table;
    pm.driver = driver;
    for (const [k, v] of pm.clients) if (v >= table.states.length) pm.clients.set(k, pm.highest);
    pm.invalidateDesired();
    pm.currentPowerState = 0;
    let initial: number;
    try {
      initial = driver.initialPowerStateForDomainState(pm.parentFlags ?? 0xffffffff);
    } catch (e) {
      pm.ctx.log(`${driver.getName()}::initialPowerStateForDomainState threw: ${e instanceof Error ? e.message : String(e)}`);
      initial = 0;
    }
    if (Number.isInteger(initial) && initial > 0 && initial < table.states.length) pm.tempClamp = initial;
    pm.publish();
    pm.adjustPowerState();
  });
  return IOPMAckImplied;
};

P.registerInterestedDriver = function (this: IOService, driver: IOService): number {
  const pm = pms.get(this);
  if (!pm) return 0;
  if (!pm.informees.some((i) => i.driver === driver)) pm.informees.push({ driver, awaiting: false, timer: undefined });
  return pm.capabilityFlags();
};

P.deRegisterInterestedDriver = function (this: IOService, driver: IOService): IOReturn {
  const pm = pms.get(this);
  const i = pm?.informees.findIndex((x) => x.driver === driver) ?? -1;
  if (!pm || i < 0) return kIOReturnBadArgument;
  const [inf] = pm.informees.splice(i, 1);
  if (inf?.awaiting) pm.acknowledgePowerChange(driver);
  return kIOReturnSuccess;
};

P.acknowledgeSetPowerState = function (this: IOService): IOReturn {
  const pm = pms.get(this);
  if (!pm) return IOPMNotYetInitialized;
  return pm.acknowledgeSetPowerState();
};

P.acknowledgePowerChange = function (this: IOService, driver: IOService): IOReturn {
  const pm = pms.get(this);
  if (!pm) return IOPMNotYetInitialized;
  return pm.acknowledgePowerChange(driver);
};

function request(service: IOService, client: string, ordinal: number): IOReturn {
  const pm = pms.get(service);
  if (!pm) return IOPMNotYetInitialized;
  return pm.requestPowerState(client, ordinal);
}

P.changePowerStateTo = function (this: IOService, ordinal: number): IOReturn {
  return request(this, gIOPMPowerClientDriver, ordinal);
};

P.changePowerStateToPriv = function (this: IOService, ordinal: number): IOReturn {
  return request(this, gIOPMPowerClientDevice, ordinal);
};

P.changePowerStateWithOverrideTo = function (this: IOService, ordinal: number): IOReturn {
  const pm = pms.get(this);
  if (!pm) return IOPMNotYetInitialized;
  pm.overrideOn = true;
  return pm.requestPowerState(gIOPMPowerClientDevice, ordinal);
};

P.makeUsable = function (this: IOService): IOReturn {
  const pm = pms.get(this);
  if (!pm) return IOPMNotYetInitialized;
  return pm.requestPowerState(gIOPMPowerClientDevice, pm.table ? pm.highest : 0xffff);
};

P.temporaryPowerClampOn = function (this: IOService): IOReturn {
  const pm = pms.get(this);
  if (!pm) return IOPMNotYetInitialized;
  return pm.requestPowerState(gIOPMPowerClientChildProxy, pm.table ? pm.highest : 0xffff);
};

P.activityTickle = function (this: IOService, type: number, stateNumber: number): boolean {
  const pm = pms.get(this);
  if (!pm || type !== kIOPMSuperclassPolicy1 || !pm.table) return true;
  pm.activityTickles++;
  pm.lastTickleNs = pm.ctx.scheduler.now();
  const order = pm.table.order;
  const s = Math.min(Math.max(0, Math.trunc(stateNumber)), order.length - 1);
  if (order[pm.currentPowerState]! >= order[s]! && !pm.busy) return true;
  const dev = pm.clients.get(gIOPMPowerClientDevice);
  if (dev === undefined || order[dev]! < order[s]!) pm.requestPowerState(gIOPMPowerClientDevice, s);
  return false;
};

P.setIdleTimerPeriod = function (this: IOService, seconds: number): IOReturn {
  const pm = pms.get(this);
  if (!pm) return IOPMNotYetInitialized;
  if (!Number.isFinite(seconds) || seconds < 0) return kIOReturnBadArgument;
  pm.idleTimerPeriodS = seconds;
  pm.idleTimer?.cancel();
  pm.idleTimer = undefined;
  if (seconds > 0) armIdleTimer(pm, pm.ctx.scheduler.now());
  pm.publish();
  return kIOReturnSuccess;
};

/**
 * The idle timer: when a full period passes without a tickle, the Device client drops one state
 * below the current one, and the timer runs again; a tickle pushes the next check to a period
 * after it.
 */
function armIdleTimer(pm: IOServicePM, at: number): void {
  const periodNs = pm.idleTimerPeriodS * 1e9;
  pm.idleTimer = pm.ctx.scheduler.postAt(at + periodNs, () => {
    pm.idleTimer = undefined;
    if (pm.stopped || pm.idleTimerPeriodS === 0 || !pm.table) return;
    const now = pm.ctx.scheduler.now();
    if (pm.lastTickleNs > at) {
      armIdleTimer(pm, pm.lastTickleNs);
      return;
    }
    const order = pm.table.order;
    const cur = order[pm.currentPowerState]!;
    if (cur > 0) pm.requestPowerState(gIOPMPowerClientDevice, order.indexOf(cur - 1));
    armIdleTimer(pm, now);
  }, "IOPM idle timer");
}

P.getPowerState = function (this: IOService): number {
  return pms.get(this)?.currentPowerState ?? 0;
};

// ---- default hooks ----

P.setPowerState = function (this: IOService): number {
  return IOPMAckImplied;
};

P.powerStateWillChangeTo = function (this: IOService): number {
  return IOPMAckImplied;
};

P.powerStateDidChangeTo = function (this: IOService): number {
  return IOPMAckImplied;
};

P.initialPowerStateForDomainState = function (this: IOService, domainFlags: number): number {
  return pms.get(this)?.maxStateForDomain(domainFlags) ?? 0;
};

P.maxCapabilityForDomainState = function (this: IOService, domainFlags: number): number {
  return pms.get(this)?.maxStateForDomain(domainFlags) ?? 0;
};

P.powerChangeDone = function (this: IOService): void {};

/** Whether the service's current state is usable (capability includes kIOPMDeviceUsable). */
export function isUsable(service: IOService): boolean {
  const pm = pms.get(service);
  return pm !== undefined && (pm.capabilityFlags() & kIOPMDeviceUsable) !== 0;
}

