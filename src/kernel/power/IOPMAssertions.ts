/**
 * Power assertions: user-space `IOPMAssertionCreateWithName`/`IOPMAssertionRelease` and kernel
 * drivers' `createPMAssertion`, with their timeouts, and the questions the root domain asks of
 * them (is idle sleep prevented? is display sleep prevented? may a dark wake end?).
 *
 * Divergence from XNU: IDs are 64-bit values printed as `0x%016llx`, allocated from a counter (powerd packs a
 * generation and an index; only uniqueness matters to callers). Levels are On (255) or Off (0);
 * an assertion at level Off is kept but has no effect.
 */
import { kIOReturnBadArgument, kIOReturnNotFound, kIOReturnSuccess, type IOReturn } from "../../base/index.ts";
import type { Scheduler, TaskHandle } from "../scheduler/index.ts";
import {
  kIOPMAssertionLevelOff, kIOPMAssertionLevelOn, kIOPMAssertionTimeoutActionLog, kIOPMAssertionTimeoutActionRelease, kIOPMAssertionTimeoutActionTurnOff,
  kIOPMAssertionTypeNetworkClientActive, kIOPMAssertionTypeNoDisplaySleep, kIOPMAssertionTypeNoIdleSleep, kIOPMAssertionTypePreventDiskIdle,
  kIOPMAssertionTypePreventSystemSleep, kIOPMAssertionTypePreventUserIdleDisplaySleep, kIOPMAssertionTypePreventUserIdleSystemSleep,
  kIOPMDriverAssertionPreventDisplaySleepBit, kIOPMDriverAssertionPreventSystemIdleSleepBit,
} from "./pmConstants.ts";

/** The types `pmset -g assertions` lists system-wide, in its order. */
export const SYSTEM_WIDE_TYPES = [
  "BackgroundTask", "ApplePushServiceTask", "UserIsActive", kIOPMAssertionTypePreventUserIdleDisplaySleep, kIOPMAssertionTypePreventSystemSleep,
  "ExternalMedia", kIOPMAssertionTypePreventUserIdleSystemSleep, kIOPMAssertionTypeNetworkClientActive,
] as const;

const KNOWN_TYPES = new Set<string>([
  ...SYSTEM_WIDE_TYPES, kIOPMAssertionTypeNoIdleSleep, kIOPMAssertionTypeNoDisplaySleep, kIOPMAssertionTypePreventDiskIdle,
]);
const TIMEOUT_ACTIONS = new Set([kIOPMAssertionTimeoutActionLog, kIOPMAssertionTimeoutActionTurnOff, kIOPMAssertionTimeoutActionRelease]);

/** One user-space assertion. */
export interface IOPMAssertion {
  readonly id: bigint;
  readonly type: string;
  level: number;
  readonly name: string;
  readonly pid: number;
  readonly processName: string;
  readonly details?: string;
  readonly createdNs: number;
  readonly timeoutS?: number;
  readonly timeoutAction?: string;
  timer?: TaskHandle;
}

/** One kernel driver assertion (`createPMAssertion`). */
export interface IOPMDriverAssertion {
  readonly id: number;
  readonly bits: number;
  level: number;
  readonly owner: string;
  readonly description: string;
  readonly createdNs: number;
}

/** Options of {@link IOPMAssertions.create}. */
export interface AssertionOptions {
  readonly pid?: number;
  readonly processName?: string;
  readonly details?: string;
  readonly timeoutSeconds?: number;
  readonly timeoutAction?: string;
}

export class IOPMAssertions {
  readonly #scheduler: Scheduler;
  readonly #log: (line: string) => void;
  readonly #onChange: () => void;
  readonly user = new Map<bigint, IOPMAssertion>();
  readonly kernel = new Map<number, IOPMDriverAssertion>();
  #nextUser = 0x10000n;
  #nextKernel = 500;

  constructor(scheduler: Scheduler, log: (line: string) => void, onChange: () => void) {
    this.#scheduler = scheduler;
    this.#log = log;
    this.#onChange = onChange;
  }

  /** `IOPMAssertionCreateWithName(type, level, name, &id)`. */
  create(type: string, level: number, name: string, options: AssertionOptions = {}): { result: IOReturn; id?: bigint } {
    if (!KNOWN_TYPES.has(type) || (level !== kIOPMAssertionLevelOn && level !== kIOPMAssertionLevelOff) || typeof name !== "string") return { result: kIOReturnBadArgument };
    if (options.timeoutAction !== undefined && !TIMEOUT_ACTIONS.has(options.timeoutAction)) return { result: kIOReturnBadArgument };
    const t = options.timeoutSeconds;
    if (t !== undefined && (!Number.isFinite(t) || t < 0)) return { result: kIOReturnBadArgument };
    const id = this.#nextUser++;
    const a: IOPMAssertion = {
      id, type, level, name, pid: options.pid ?? 0, processName: options.processName ?? "kernel_task", createdNs: this.#scheduler.now(),
      ...(options.details !== undefined ? { details: options.details } : {}),
      ...(t !== undefined && t > 0 ? { timeoutS: t, timeoutAction: options.timeoutAction ?? kIOPMAssertionTimeoutActionTurnOff } : {}),
    };
    if (a.timeoutS !== undefined) a.timer = this.#scheduler.postAfter(a.timeoutS * 1e9, () => this.#timedOut(a), "IOPMAssertion timeout");
    this.user.set(id, a);
    this.#onChange();
    return { result: kIOReturnSuccess, id };
  }

  #timedOut(a: IOPMAssertion): void {
    a.timer = undefined;
    this.#log(`PM assertion timed out: ${a.type} "${a.name}" (pid ${a.pid}), action ${a.timeoutAction}`);
    if (a.timeoutAction === kIOPMAssertionTimeoutActionRelease) this.release(a.id);
    else if (a.timeoutAction === kIOPMAssertionTimeoutActionTurnOff) {
      a.level = kIOPMAssertionLevelOff;
      this.#onChange();
    }
  }

  /** `IOPMAssertionRelease(id)`. */
  release(id: bigint): IOReturn {
    const a = this.user.get(id);
    if (!a) return kIOReturnNotFound;
    a.timer?.cancel();
    this.user.delete(id);
    this.#onChange();
    return kIOReturnSuccess;
  }

  /** `createPMAssertion(typeBits, level, owner, description)`: returns the id, 0 on bad arguments. */
  createDriverAssertion(bits: number, level: number, owner: string, description: string): number {
    if (!Number.isInteger(bits) || bits <= 0) return 0;
    const id = this.#nextKernel++;
    this.kernel.set(id, { id, bits, level, owner, description, createdNs: this.#scheduler.now() });
    this.#onChange();
    return id;
  }

  releaseDriverAssertion(id: number): IOReturn {
    if (!this.kernel.delete(id)) return kIOReturnNotFound;
    this.#onChange();
    return kIOReturnSuccess;
  }

  /** Count of active (level On) assertions of a type. */
  count(type: string): number {
    let n = 0;
    for (const a of this.user.values()) if (a.type === type && a.level === kIOPMAssertionLevelOn) n++;
    return n;
  }

  /** The OR of active kernel assertion bits (`DriverPMAssertions`). */
  driverBits(): number {
    let b = 0;
    for (const a of this.kernel.values()) if (a.level === kIOPMAssertionLevelOn) b |= a.bits;
    return b;
  }

  /** PreventUserIdleSystemSleep, NoIdleSleep, PreventSystemSleep, or a kernel PreventSystemIdleSleep. */
  preventsIdleSleep(): boolean {
    return this.count(kIOPMAssertionTypePreventUserIdleSystemSleep) > 0 || this.count(kIOPMAssertionTypeNoIdleSleep) > 0
      || this.preventsSystemSleep() || (this.driverBits() & kIOPMDriverAssertionPreventSystemIdleSleepBit) !== 0;
  }

  /** PreventSystemSleep: also holds a maintenance wake awake. */
  preventsSystemSleep(): boolean {
    return this.count(kIOPMAssertionTypePreventSystemSleep) > 0 || this.count("BackgroundTask") > 0;
  }

  preventsDisplaySleep(): boolean {
    return this.count(kIOPMAssertionTypePreventUserIdleDisplaySleep) > 0 || this.count(kIOPMAssertionTypeNoDisplaySleep) > 0
      || (this.driverBits() & kIOPMDriverAssertionPreventDisplaySleepBit) !== 0;
  }
}
