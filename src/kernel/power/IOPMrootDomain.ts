/**
 * IOPMrootDomain: system power. It sits under the platform expert device in the IOService plane,
 * on top of the power tree (below `IORootParent`) in the IOPower plane, and drives system sleep and
 * wake:
 *
 *   sleep: [idle sleep only] kIOMessageCanSystemSleep to system-power clients, who answer with
 *   `allowPowerChange`/`cancelPowerChange` within 30 s — one cancel vetoes and
 *   kIOMessageSystemWillNotSleep follows; then kIOMessageSystemWillSleep, which must be
 *   acknowledged (30 s) and cannot be vetoed; kext auto-unload is suspended; the root domain drops
 *   to SLEEP with an override (children's requests ignored), which lowers the whole tree, children
 *   first. SafeSleep (hibernate mode 3) is the same sequence for drivers; only the log differs.
 *
 *   wake: the `Wake Type` decides: User/Alarm give a full wake; Maintenance, SleepTimer,
 *   SleepService, LowBattery, HibernateError a dark wake (CPU and network, no graphics or audio)
 *   that goes back to sleep as soon as no PreventSystemSleep assertion holds it, and after 30 s at
 *   most. kIOMessageSystemWillPowerOn goes out before the tree rises, kIOMessageSystemHasPoweredOn
 *   after.
 *
 * Idle sleep runs from the `sleep` timer (minutes, `pmset sleep`), restarted by user activity and
 * held off by assertions. The System Load Advisory summarises how good a time it is for
 * background work.
 *
 * Settings (IOPMSettings): one profile per power source; the AC profile is in use, its `sleep` is
 * the idle timer and its `hibernatemode` the `Hibernate Mode` property. The repeating pair
 * (`pmset repeat`) is armed on the kernel's clock placed on the wall clock by the caller; each
 * firing re-arms the next occurrence, so a machine with both a sleep and a wake event cycles for
 * ever, as a Mac does — drive such a kernel with bounded waits, not `runAll()`.
 *
 * Wake completion: HasPoweredOn and the `on` state follow the end of the root domain's change to
 * ON, which waits for every power child's rise (their acknowledgements and their own children).
 */
import { kIOReturnBusy, kIOReturnNotReady, kIOReturnSuccess, type IOReturn } from "../../base/index.ts";
import { num, type OSValue } from "../../libkern/index.ts";
import { OSMetaClass } from "../object/index.ts";
import type { IORegistryEntry } from "../registry/index.ts";
import { NS_PER_MS, type TaskHandle } from "../scheduler/index.ts";
import { IOService } from "../service/index.ts";
import { IOPMAssertions } from "./IOPMAssertions.ts";
import { IOPMSettings, type PMPowerSource } from "./IOPMSettings.ts";
import type { PMRepeatingEvent, PMRepeatingEvents } from "../../ipc/index.ts";
import type { IOPMPowerState } from "./IOPMPowerState.ts";
import { pmContextOf, pmOf, setRootDomainResolver } from "./IOServicePMMethods.ts";
import type { PMContext } from "./PMContext.ts";
import {
  gIOPowerPlane, kDarkWakeMaxMS, kIOMessageCanSystemSleep, kIOMessageSystemCapabilityChange, kIOMessageSystemHasPoweredOn, kIOMessageSystemWillNotSleep,
  kIOMessageSystemWillPowerOn, kIOMessageSystemWillSleep, kIOPMAOTPower, kIOPMPreventIdleSleep, kIOPMPowerOn, kIOPMRestart, kIOPMRestartCapability, kIOPMSleep, kIOPMSleepCapability,
  kIOPMSystemCapabilityAudio, kIOPMSystemCapabilityCPU, kIOPMSystemCapabilityGraphics, kIOPMSystemCapabilityNetwork, kSystemSleepAckTimeoutMS, ON_STATE,
  SLEEP_STATE,
} from "./pmConstants.ts";

const ON_POWER = kIOPMPowerOn;
/** The root domain's five states: OFF, RESTART, SLEEP, AOT, ON. */
export const ROOT_DOMAIN_POWER_STATES: readonly IOPMPowerState[] = [
  { version: 1, capabilityFlags: 0, outputPowerCharacter: 0, inputPowerRequirement: 0 },
  { version: 1, capabilityFlags: kIOPMRestartCapability, outputPowerCharacter: kIOPMRestart, inputPowerRequirement: ON_POWER },
  { version: 1, capabilityFlags: kIOPMSleepCapability, outputPowerCharacter: kIOPMSleep, inputPowerRequirement: ON_POWER },
  { version: 1, capabilityFlags: kIOPMAOTPower, outputPowerCharacter: kIOPMAOTPower, inputPowerRequirement: ON_POWER },
  { version: 1, capabilityFlags: kIOPMPowerOn, outputPowerCharacter: kIOPMPowerOn, inputPowerRequirement: ON_POWER },
];

/** `kIOSystemLoadAdvisoryLevel*`. */
export const kIOSystemLoadAdvisoryLevelBad = 1;
export const kIOSystemLoadAdvisoryLevelOK = 2;
export const kIOSystemLoadAdvisoryLevelGreat = 3;

/** Wake types that give a dark (maintenance) wake. */
const DARK_WAKE_TYPES = new Set(["Maintenance", "SleepTimer", "SleepService", "LowBattery", "HibernateError"]);

/** A system-power client's handler: `(messageType, notificationID)`; answer with allow/cancelPowerChange. */
export type SystemPowerHandler = (messageType: number, notificationID: number) => IOReturn | void;

interface PowerClient {
  readonly name: string;
  readonly handler: SystemPowerHandler;
  /** Kernel priority clients acknowledge by returning kIOReturnSuccess. */
  readonly kernel: boolean;
}

interface Round {
  readonly id: number;
  readonly vetoable: boolean;
  pending: Set<PowerClient>;
  vetoed: boolean;
  timer: TaskHandle | undefined;
  then: (vetoed: boolean) => void;
}

/** The system's power state as the root domain sees it. */
export type SystemState = "on" | "darkWake" | "sleeping" | "asleep" | "waking";

/** IORootParent: the root domain's power parent, always on. */
export class IORootParent extends IOService {}
OSMetaClass.define(IORootParent, "IORootParent");

const rootDomains = new WeakMap<object, IOPMrootDomain>();

export class IOPMrootDomain extends IOService {
  #ctx: PMContext | undefined;
  #clients: PowerClient[] = [];
  #round: Round | undefined;
  #roundID = 0;
  #systemState: SystemState = "on";
  #sleepStartNs = 0;
  #wakeStartNs = 0;
  #sleepReason = "";
  #safeSleep = false;
  #darkWakeTimer: TaskHandle | undefined;
  #idleTimer: TaskHandle | undefined;
  #sleepTimerMin = 0;
  #lastUserActivityNs = 0;
  #scheduledWakes: { atNs: number; type: string; owner: string; handle: TaskHandle }[] = [];
  #pendingWake: string | undefined;
  #repeatTimers: TaskHandle[] = [];
  #treeDone: (() => void) | undefined;
  assertions!: IOPMAssertions;
  /** The power settings of each source and the repeating power events (`pmset -a|-b|-c`, `pmset repeat`). */
  readonly settings = new IOPMSettings();
  /** Sleep/wake cycles completed. */
  sleepCount = 0;
  wakeCount = 0;

  /** The root domain of `service`'s kernel, installed under the platform expert on first use. */
  static forService(service: IOService): IOPMrootDomain {
    const found = rootDomains.get(service.registry);
    if (found) return found;
    const platform = service.getResources().getProvider() ?? service.getResources();
    const rd = new IOPMrootDomain(service.registry);
    rootDomains.set(service.registry, rd);
    rd.#install(platform);
    return rd;
  }

  /** The root domain of a registry, if installed. */
  static existing(registry: object): IOPMrootDomain | undefined {
    return rootDomains.get(registry);
  }

  // Divergence from XNU: the root domain attaches directly to the platform expert device (there is
  // no platform-expert driver yet), and IORootParent has two states (off, on).
  #install(platform: IOService): void {
    this.init();
    this.attach(platform);
    const ctx = pmContextOf(this);
    this.#ctx = ctx;
    ctx.rootDomain = this;
    this.assertions = new IOPMAssertions(ctx.scheduler, ctx.log, () => this.#assertionsChanged());
    const props: [string, OSValue][] = [
      ["IOUserClientClass", "RootDomainUserClient"], ["IOSleepSupported", true], ["SleepDisabled", false], ["System Capabilities", num(15, 32)],
      ["DriverPMAssertions", num(0, 32)], ["IOPMUserIsActive", true], ["Hibernate Mode", num(3, 32)], ["PMStatusCode", num(0, 32)],
    ];
    for (const [k, v] of props) this.setProperty(k, v);
    const parent = new IORootParent(this.registry);
    parent.init();
    parent.attach(this);
    parent.attachToParent(platform.getParentEntry("IOService") ?? platform, gIOPowerPlane);
    parent.PMinit();
    parent.registerPowerDriver(parent, [
      { version: 1, capabilityFlags: 0, outputPowerCharacter: 0, inputPowerRequirement: 0 },
      { version: 1, capabilityFlags: 0, outputPowerCharacter: ON_POWER, inputPowerRequirement: 0 },
    ]);
    parent.changePowerStateToPriv(1);
    parent.release();
    this.PMinit();
    parent.addPowerChild(this);
    this.registerPowerDriver(this, ROOT_DOMAIN_POWER_STATES);
    this.changePowerStateToPriv(ON_STATE);
    this.changePowerStateTo(ON_STATE);
    this.registerService();
    this.release();
    ctx.event("Start", "PM started");
  }

  /** The PM context of this kernel. */
  get pm(): PMContext {
    return this.#ctx!;
  }

  // ---- clients ----

  /**
   * `IORegisterForSystemPower`: the handler gets CanSystemSleep (idle sleep only), WillSleep,
   * WillNotSleep, WillPowerOn and HasPoweredOn, and must answer the first two with
   * {@link allowPowerChange} or {@link cancelPowerChange}. Returns the deregistration function.
   */
  registerForSystemPower(name: string, handler: SystemPowerHandler): () => void {
    return this.#addClient({ name, handler, kernel: false });
  }

  /** `registerPrioritySleepWakeInterest`: a kernel client whose kIOReturnSuccess return acknowledges. */
  registerPrioritySleepWakeInterest(name: string, handler: SystemPowerHandler): () => void {
    return this.#addClient({ name, handler, kernel: true });
  }

  #addClient(c: PowerClient): () => void {
    this.#clients.push(c);
    return () => {
      this.#clients = this.#clients.filter((x) => x !== c);
      if (this.#round?.pending.delete(c)) this.#roundProgress();
    };
  }

  /** `IOAllowPowerChange(notificationID)`. */
  allowPowerChange(notificationID: number, client?: string): IOReturn {
    return this.#answer(notificationID, false, client);
  }

  /** `IOCancelPowerChange(notificationID)`: vetoes CanSystemSleep; ignored (as an allow) for WillSleep. */
  cancelPowerChange(notificationID: number, client?: string): IOReturn {
    return this.#answer(notificationID, true, client);
  }

  #answer(id: number, cancel: boolean, clientName?: string): IOReturn {
    const r = this.#round;
    if (!r || r.id !== id) return kIOReturnSuccess;
    const c = clientName === undefined ? [...r.pending][0] : [...r.pending].find((x) => x.name === clientName);
    if (!c) return kIOReturnSuccess;
    if (cancel) {
      if (r.vetoable) r.vetoed = true;
      else this.pm.log(`PM: ${c.name} tried to cancel a sleep that cannot be vetoed; treated as allow`);
    }
    r.pending.delete(c);
    this.#roundProgress();
    return kIOReturnSuccess;
  }

  /** Sends a message to every client and waits (30 s at most) for their answers. */
  #tellClients(type: number, vetoable: boolean, then: (vetoed: boolean) => void): void {
    const round: Round = { id: ++this.#roundID, vetoable, pending: new Set(this.#clients), vetoed: false, timer: undefined, then };
    this.#round = round;
    for (const c of [...this.#clients]) {
      let r: IOReturn | void;
      try {
        r = c.handler(type, round.id);
      } catch (e) {
        this.pm.log(`PM: system power client ${c.name} threw: ${e instanceof Error ? e.message : String(e)}`);
        r = kIOReturnSuccess;
      }
      if (c.kernel && (r === undefined || r === kIOReturnSuccess)) round.pending.delete(c);
    }
    this.messageClients(type, round.id);
    if (round.pending.size > 0) {
      round.timer = this.pm.scheduler.postAfter(kSystemSleepAckTimeoutMS * NS_PER_MS, () => {
        if (this.#round !== round) return;
        for (const c of round.pending) {
          this.pm.log(`PM notification timeout (${c.name})`);
          this.pm.event("Notification", `PM notification timeout (${c.name}) for 0x${type.toString(16)}`);
        }
        round.pending.clear();
        this.#roundProgress();
      }, "PM response timer");
    }
    this.#roundProgress();
  }

  #roundProgress(): void {
    const r = this.#round;
    if (!r || r.pending.size > 0) return;
    this.#round = undefined;
    r.timer?.cancel();
    this.pm.queue.push(() => r.then(r.vetoed));
  }

  /** Sends a message that needs no answer. */
  #announce(type: number, argument = 0): void {
    for (const c of [...this.#clients]) {
      try {
        c.handler(type, argument);
      } catch (e) {
        this.pm.log(`PM: system power client ${c.name} threw: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.messageClients(type, argument);
  }

  // ---- system state ----

  get systemState(): SystemState {
    return this.#systemState;
  }

  /** True from WillSleep until the wake completes: kext auto-unload stays suspended meanwhile. */
  get systemIsSleeping(): boolean {
    return this.#systemState === "sleeping" || this.#systemState === "asleep" || this.#systemState === "waking";
  }

  /** The system capability bits now (CPU, Graphics, Audio, Network). */
  get systemCapabilities(): number {
    if (this.#systemState === "on") return kIOPMSystemCapabilityCPU | kIOPMSystemCapabilityGraphics | kIOPMSystemCapabilityAudio | kIOPMSystemCapabilityNetwork;
    if (this.#systemState === "darkWake") return kIOPMSystemCapabilityCPU | kIOPMSystemCapabilityNetwork;
    return 0;
  }

  /**
   * Starts system sleep. Idle sleep (`idle: true`) asks CanSystemSleep first and can be vetoed;
   * demand sleep cannot. Returns kIOReturnBusy while another transition runs.
   */
  sleepSystem(reason = "Software Sleep", options: { idle?: boolean; safeSleep?: boolean } = {}): IOReturn {
    if (this.pm.queue.halted) return kIOReturnNotReady;
    if (this.#systemState !== "on" && this.#systemState !== "darkWake") return kIOReturnBusy;
    this.#darkWakeTimer?.cancel();
    this.#darkWakeTimer = undefined;
    this.#sleepReason = reason;
    this.#safeSleep = options.safeSleep ?? false;
    const proceed = (): void => {
      this.#systemState = "sleeping";
      this.pm.emit("willSleep");
      this.#tellClients(kIOMessageSystemWillSleep, false, () => this.#sleepTree());
    };
    if (options.idle) {
      this.#tellClients(kIOMessageCanSystemSleep, true, (vetoed) => {
        if (!vetoed) return proceed();
        this.#announce(kIOMessageSystemWillNotSleep);
        this.pm.event("Sleep", `Sleep cancelled by a client ('${reason}')`);
        this.pm.emit("sleepCancelled");
        this.#armIdleTimer();
      });
    } else proceed();
    return kIOReturnSuccess;
  }

  #sleepTree(): void {
    this.#sleepStartNs = this.pm.scheduler.now();
    this.setProperty("Last Sleep Reason", this.#sleepReason);
    this.#treeDone = () => {
      this.#systemState = "asleep";
      this.sleepCount++;
      this.pm.event("Sleep", `Entering Sleep state due to '${this.#sleepReason}':${this.#safeSleep ? "Hibernate mode 3 " : ""}Using AC (Charge:100%)`);
      this.pm.emit("didSleep");
      const w = this.#pendingWake;
      this.#pendingWake = undefined;
      if (w !== undefined) this.pm.queue.push(() => this.wakeSystem(w));
    };
    this.changePowerStateWithOverrideTo(SLEEP_STATE);
  }

  /** Called by the state machine after each root-domain change. */
  override powerChangeDone(_previous: number): void {
    const pm = pmOf(this);
    if (!pm || !this.#treeDone) return;
    const want = this.#systemState === "sleeping" ? SLEEP_STATE : ON_STATE;
    if (pm.currentPowerState !== want || pm.busy) return;
    const done = this.#treeDone;
    this.#treeDone = undefined;
    done();
  }

  /**
   * Wakes the system. `wakeType` becomes the `Wake Type` property: User/Alarm give a full wake,
   * Maintenance/SleepTimer/SleepService/LowBattery/HibernateError a dark wake. From a dark wake, a
   * full wake type just turns the capabilities on.
   */
  wakeSystem(wakeType = "User"): IOReturn {
    if (this.pm.queue.halted) return kIOReturnNotReady;
    const dark = DARK_WAKE_TYPES.has(wakeType);
    if (this.#systemState === "darkWake" && !dark) {
      this.#toFullWake(wakeType);
      return kIOReturnSuccess;
    }
    if (this.#systemState === "sleeping") {
      this.#pendingWake = wakeType;
      return kIOReturnSuccess;
    }
    if (this.#systemState !== "asleep") return kIOReturnNotReady;
    this.setProperty("Wake Type", wakeType);
    this.#systemState = "waking";
    this.#wakeStartNs = this.pm.scheduler.now();
    const sleptS = Math.round((this.#wakeStartNs - this.#sleepStartNs) / 1e9);
    this.pm.emit("willWake");
    this.#announce(kIOMessageSystemWillPowerOn);
    this.#treeDone = () => {
      this.wakeCount++;
      this.#systemState = dark ? "darkWake" : "on";
      this.setProperty("System Capabilities", num(this.systemCapabilities, 32));
      this.#announce(kIOMessageSystemCapabilityChange, this.systemCapabilities);
      this.#announce(kIOMessageSystemHasPoweredOn);
      const caps = dark ? "[CDN]" : "[CDNVA]";
      this.pm.event(dark ? "DarkWake" : "Wake", `${dark ? "DarkWake" : "Wake"} from Deep Idle ${caps} : due to ${wakeType}/${dark ? "Maintenance" : "UserActivity"} Using AC (Charge:100%)`, sleptS);
      this.pm.emit(dark ? "darkWake" : "didWake");
      if (dark) this.#armDarkWake();
      else {
        this.#lastUserActivityNs = this.pm.scheduler.now();
        this.#armIdleTimer();
      }
    };
    const pm = pmOf(this)!;
    pm.overrideOn = false;
    this.changePowerStateToPriv(ON_STATE);
    return kIOReturnSuccess;
  }

  #toFullWake(wakeType: string): void {
    this.#darkWakeTimer?.cancel();
    this.#darkWakeTimer = undefined;
    this.#systemState = "on";
    this.setProperty("Wake Type", wakeType);
    this.setProperty("System Capabilities", num(this.systemCapabilities, 32));
    this.#announce(kIOMessageSystemCapabilityChange, this.systemCapabilities);
    this.pm.event("Wake", `DarkWake to FullWake from Deep Idle [CDNVA] : due to ${wakeType} Using AC (Charge:100%)`);
    this.pm.emit("didWake");
    this.#lastUserActivityNs = this.pm.scheduler.now();
    this.#armIdleTimer();
  }

  /** A dark wake sleeps again as soon as nothing holds it, after 30 s at most. */
  #armDarkWake(): void {
    const start = this.pm.scheduler.now();
    const check = (): void => {
      this.#darkWakeTimer = undefined;
      if (this.#systemState !== "darkWake") return;
      const elapsed = this.pm.scheduler.now() - start;
      if (this.assertions.preventsSystemSleep() && elapsed < kDarkWakeMaxMS * NS_PER_MS) {
        this.#darkWakeTimer = this.pm.scheduler.postAt(start + kDarkWakeMaxMS * NS_PER_MS, check, "DarkWake limit");
        return;
      }
      this.sleepSystem("Maintenance Sleep");
    };
    this.#darkWakeTimer = this.pm.scheduler.post(check, "DarkWake");
  }

  #assertionsChanged(): void {
    this.setProperty("DriverPMAssertions", num(this.assertions.driverBits(), 32));
    if (this.#systemState === "darkWake" && !this.assertions.preventsSystemSleep() && !this.#darkWakeTimer) this.#armDarkWake();
    if (this.#systemState === "darkWake" && !this.assertions.preventsSystemSleep() && this.#darkWakeTimer) {
      this.#darkWakeTimer.cancel();
      this.#darkWakeTimer = undefined;
      this.#armDarkWake();
    }
    if (this.#systemState === "on" && !this.#idleTimer) this.#armIdleTimer();
  }

  // ---- settings (pmset -a|-b|-c KEY VALUE) ----

  /**
   * `IOPMSetPMPreferences` for one setting of one power source; false for an unknown key or a
   * value out of range. The AC profile is the one in use: its `sleep` is the idle sleep timer and
   * its `hibernatemode` the `Hibernate Mode` property.
   */
  setPMSetting(source: PMPowerSource, key: string, value: number): boolean {
    if (!this.settings.set(source, key, value)) return false;
    if (source !== "AC Power") return true;
    if (key === "sleep") {
      this.#sleepTimerMin = value;
      this.#armIdleTimer();
    } else if (key === "hibernatemode") this.setProperty("Hibernate Mode", num(value, 32));
    return true;
  }

  // ---- repeating power events (pmset repeat) ----

  /**
   * `IOPMScheduleRepeatingPowerEvent`: replaces the repeating pair and arms it. `clockEpochMs` is
   * the Unix time of this kernel's clock zero (2001-01-01 for a kernel on virtual time, the boot
   * for a daemon), which places the events' days and times (UTC) on the clock. The power-on event
   * wakes a sleeping system (`Wake Type` Alarm); a `sleep` power-off event demand-sleeps an awake
   * one; `shutdown`/`restart` are kept and shown only. False (nothing changed) if malformed.
   */
  setRepeatingEvents(events: PMRepeatingEvents, clockEpochMs = Date.UTC(2001, 0, 1)): boolean {
    if (!this.settings.setRepeating(events)) return false;
    for (const t of this.#repeatTimers) t.cancel();
    this.#repeatTimers = [];
    const { RepeatingPowerOn: on, RepeatingPowerOff: off } = this.settings.repeating;
    if (on) this.#armRepeat(on, clockEpochMs, () => this.wakeSystem("Alarm"));
    if (off?.eventtype === "sleep") this.#armRepeat(off, clockEpochMs, () => this.sleepSystem("Scheduled Sleep"));
    return true;
  }

  #armRepeat(e: PMRepeatingEvent, epochMs: number, act: () => void): void {
    const sched = this.pm.scheduler;
    const nextMs = nextRepeatMs(e, epochMs + sched.now() / 1e6);
    const handle = sched.postAt(Math.round((nextMs - epochMs) * 1e6), () => {
      this.#repeatTimers = this.#repeatTimers.filter((t) => t !== handle);
      this.pm.event("Wake Requests", `[*process=powerd request=${e.eventtype} repeating weekdays=0x${e.weekdays.toString(16)} time=${e.time}]`);
      act();
      if (this.settings.repeating.RepeatingPowerOn === e || this.settings.repeating.RepeatingPowerOff === e) this.#armRepeat(e, epochMs, act);
    }, "repeating power event");
    this.#repeatTimers.push(handle);
  }

  // ---- idle sleep ----

  /** `pmset sleep N`: the idle sleep timer in minutes (0 disables) — the AC profile's `sleep`. */
  setSleepTimer(minutes: number): void {
    this.setPMSetting("AC Power", "sleep", Math.max(0, Math.trunc(minutes)));
  }

  get sleepTimerMinutes(): number {
    return this.#sleepTimerMin;
  }

  /** User activity (a HID event): restarts the idle sleep timer. */
  userActivity(): void {
    this.#lastUserActivityNs = this.pm.scheduler.now();
    if (this.#systemState === "darkWake") this.#toFullWake("UserActivity");
  }

  #armIdleTimer(): void {
    this.#idleTimer?.cancel();
    this.#idleTimer = undefined;
    if (this.#sleepTimerMin === 0 || this.#systemState !== "on") return;
    const periodNs = this.#sleepTimerMin * 60_000 * NS_PER_MS;
    const at = Math.max(this.#lastUserActivityNs + periodNs, this.pm.scheduler.now());
    this.#idleTimer = this.pm.scheduler.postAt(at, () => {
      this.#idleTimer = undefined;
      if (this.#systemState !== "on") return;
      if (this.pm.scheduler.now() < this.#lastUserActivityNs + periodNs) return this.#armIdleTimer();
      if (this.assertions.preventsIdleSleep()) return; // re-armed when assertions change
      if (this.#devicePreventsIdleSleep()) {
        this.#lastUserActivityNs = this.pm.scheduler.now(); // look again one period later
        return this.#armIdleTimer();
      }
      this.sleepSystem("Idle Sleep", { idle: true });
    }, "IOPM idle sleep timer");
  }

  /** Whether a device in the power tree is in a state whose capability has kIOPMPreventIdleSleep. */
  #devicePreventsIdleSleep(): boolean {
    const stack: IORegistryEntry[] = [...this.getChildEntries(gIOPowerPlane)];
    while (stack.length > 0) {
      const e = stack.pop()!;
      if (e instanceof IOService) {
        const pm = pmOf(e);
        if (pm && (pm.capabilityFlags() & kIOPMPreventIdleSleep) !== 0) return true;
      }
      stack.push(...e.getChildEntries(gIOPowerPlane));
    }
    return false;
  }

  // ---- scheduled wakes (pmset schedule / relative wake) ----

  /**
   * Schedules a wake at virtual time `atNs` (`pmset schedule wake`, `pmset relative wake`);
   * `owner` is who asked (pmset's `scheduledby`). Events stay in time order.
   */
  scheduleWake(atNs: number, wakeType = "Alarm", owner = "pmset"): void {
    const entry = {
      atNs, type: wakeType, owner,
      handle: this.pm.scheduler.postAt(atNs, () => {
        this.#scheduledWakes = this.#scheduledWakes.filter((w) => w !== entry);
        this.pm.event("Wake Requests", `[*process=${owner} request=${wakeType} deltaSecs=0 wakeAt=${atNs}]`);
        this.wakeSystem(wakeType);
      }, "scheduled wake"),
    };
    this.#scheduledWakes.push(entry);
    this.#scheduledWakes.sort((a, b) => a.atNs - b.atNs);
  }

  /** Cancels the scheduled wakes `match` accepts (`IOPMCancelScheduledPowerEvent`); returns how many. */
  cancelScheduledWakes(match: (w: { readonly atNs: number; readonly owner: string }) => boolean): number {
    const gone = this.#scheduledWakes.filter(match);
    for (const w of gone) w.handle.cancel();
    this.#scheduledWakes = this.#scheduledWakes.filter((w) => !gone.includes(w));
    return gone.length;
  }

  get scheduledWakes(): readonly { atNs: number; type: string; owner: string }[] {
    return this.#scheduledWakes;
  }

  // ---- System Load Advisory ----

  // Divergence from XNU: the advisory is computed from user activity and the sleep state only;
  // battery and thermal levels are always Great.
  /**
   * `IOGetSystemLoadAdvisory()`: Great when the user is idle on a fully awake machine, OK while
   * the user is active, Bad during a dark wake or a sleep transition.
   */
  systemLoadAdvisory(): number {
    if (this.#systemState !== "on") return kIOSystemLoadAdvisoryLevelBad;
    const idleFor = this.pm.scheduler.now() - this.#lastUserActivityNs;
    return idleFor >= 60_000 * NS_PER_MS ? kIOSystemLoadAdvisoryLevelGreat : kIOSystemLoadAdvisoryLevelOK;
  }

  /** `IOCopySystemLoadAdvisoryDetailed()`. */
  systemLoadAdvisoryDetailed(): Map<string, OSValue> {
    const user = this.systemLoadAdvisory();
    return new Map<string, OSValue>([
      ["UserLevel", num(user, 32)], ["BatteryLevel", num(kIOSystemLoadAdvisoryLevelGreat, 32)], ["ThermalLevel", num(kIOSystemLoadAdvisoryLevelGreat, 32)],
      ["CombinedLevel", num(user, 32)],
    ]);
  }

  /** Virtual ns the last wake took (WillPowerOn → HasPoweredOn). */
  get lastWakeStartNs(): number {
    return this.#wakeStartNs;
  }

  /** Cancels the root domain's timers (tests, tool teardown). */
  shutdownTimers(): void {
    this.#idleTimer?.cancel();
    this.#darkWakeTimer?.cancel();
    for (const w of this.#scheduledWakes) w.handle.cancel();
    this.#scheduledWakes = [];
    for (const t of this.#repeatTimers) t.cancel();
    this.#repeatTimers = [];
  }
}
OSMetaClass.define(IOPMrootDomain, "IOPMrootDomain");

setRootDomainResolver((s) => IOPMrootDomain.forService(s));

/** The Unix ms of the next time after `afterMs` that `e` falls on (its days and minutes, UTC). */
export function nextRepeatMs(e: PMRepeatingEvent, afterMs: number): number {
  const midnight = Math.floor(afterMs / 86_400_000) * 86_400_000;
  for (let d = 0; d <= 7; d++) {
    const dayMs = midnight + d * 86_400_000;
    const bit = (new Date(dayMs).getUTCDay() + 6) % 7; // bit 0 is Monday
    const at = dayMs + e.time * 60_000;
    if ((e.weekdays & (1 << bit)) !== 0 && at > afterMs) return at;
  }
  return midnight + 8 * 86_400_000; // unreachable for weekdays in 1…127
}

/** `getPMRootDomain()`. */
export function getPMRootDomain(service: IOService): IOPMrootDomain {
  return IOPMrootDomain.forService(service);
}
