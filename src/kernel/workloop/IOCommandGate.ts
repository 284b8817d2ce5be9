/**
 * IOCommandGate: lets code outside the work-loop thread run an action under the work loop's gate,
 * and lets that action sleep on an event with the gate released.
 *
 * A gate is a passive event source: it never has work of its own. `runAction` validates (no action:
 * kIOReturnBadArgument; no work loop: kIOReturnNotReady), then waits while the gate is disabled —
 * unless the caller is the work-loop thread itself — and runs the action gated, resolving with its
 * return value. Waiters on a disabled gate are released with kIOReturnAborted when the gate leaves
 * its work loop; actions already running (sleepers included) finish on the loop they started on.
 * Divergence from XNU: removal cannot block the remover until they finish, so it does not wait.
 * `attemptAction` never waits: kIOReturnCannotLock when the gate is busy,
 * kIOReturnNotPermitted when disabled. `commandSleep` is only legal with the gate held (Apple
 * panics; this throws a BugError with the same text) and resolves with THREAD_AWAKENED,
 * THREAD_TIMED_OUT or THREAD_INTERRUPTED.
 */
import {
  kIOReturnAborted, kIOReturnBadArgument, kIOReturnCannotLock, kIOReturnNotPermitted, kIOReturnNotReady, type IOReturn,
} from "../../base/index.ts";
import { BugError } from "../../base/index.ts";
import { OSMetaClass } from "../object/index.ts";
import { IOEventSource, type WorkLoopHost } from "./IOEventSource.ts";

/** A gated action: `action(owner, arg0, arg1, arg2, arg3)` returning an IOReturn. */
export type GateAction = (owner: object | null, ...args: unknown[]) => IOReturn | Promise<IOReturn>;

/** A command gate on a work loop. */
export class IOCommandGate extends IOEventSource {
  #defaultAction: GateAction | null = null;
  #disabledWaiters: Array<(go: boolean) => void> = [];
  #inFlight = 0;
  /** The loop in-flight actions run on, kept while they finish even if the gate is removed. */
  #activeLoop: WorkLoopHost | null = null;

  /** `IOCommandGate::commandGate(owner, action)`. */
  static commandGate(owner: object | null, action: GateAction | null = null): IOCommandGate {
    const g = new IOCommandGate();
    g.owner = owner;
    g.#defaultAction = action;
    return g;
  }

  override get isPassive(): boolean {
    return true;
  }

  /** Actions started through this gate and not yet finished (sleepers included). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Runs the gate's default action (`runCommand`). */
  runCommand(...args: unknown[]): Promise<IOReturn> {
    return this.runAction(this.#defaultAction, ...args);
  }

  /** Runs `action` gated (`runAction`); waits while the gate is disabled. */
  async runAction(action: GateAction | null, ...args: unknown[]): Promise<IOReturn> {
    if (!action) return kIOReturnBadArgument;
    const loop = this.getWorkLoop();
    if (!loop) return kIOReturnNotReady;
    if (!this.isEnabled() && !loop.onThread()) {
      const go = await new Promise<boolean>((resolve) => this.#disabledWaiters.push(resolve));
      if (!go || this.getWorkLoop() !== loop) return kIOReturnAborted;
    }
    return this.#gated(loop, action, args);
  }

  /** Runs `action` only if the gate can be taken now (`attemptAction`). */
  async attemptAction(action: GateAction | null, ...args: unknown[]): Promise<IOReturn> {
    if (!action) return kIOReturnBadArgument;
    const loop = this.getWorkLoop();
    if (!loop) return kIOReturnNotReady;
    if (!this.isEnabled() && !loop.onThread()) return kIOReturnNotPermitted;
    this.#inFlight++;
    this.#activeLoop = loop;
    try {
      const attempt = loop.tryRunAction(() => action(this.owner, ...args));
      if (!attempt.ok) return kIOReturnCannotLock;
      return await attempt.result;
    } finally {
      if (--this.#inFlight === 0) this.#activeLoop = null;
    }
  }

  /**
   * Sleeps on `event` with the gate released (`commandSleep`); `deadline` is absolute ns, 0 for none.
   * @throws {BugError} "invalid commandSleep while not holding the gate".
   */
  commandSleep(event: unknown, deadline = 0, interruptible = false): Promise<number> {
    return this.#loop().sleepGate(event, deadline, interruptible);
  }

  /** Wakes sleepers on `event`: all, or the earliest with `oneThread` (`commandWakeup`). */
  commandWakeup(event: unknown, oneThread = false): void {
    this.#loop().wakeupGate(event, oneThread);
  }

  override enable(): void {
    super.enable();
    for (const w of this.#disabledWaiters.splice(0)) w(true);
  }

  override setWorkLoop(loop: WorkLoopHost | null): void {
    if (!loop) for (const w of this.#disabledWaiters.splice(0)) w(false);
    super.setWorkLoop(loop);
  }

  #loop(): WorkLoopHost {
    const loop = this.getWorkLoop() ?? (this.#inFlight > 0 ? this.#activeLoop : null);
    if (!loop) throw new BugError("invalid commandSleep while not holding the gate");
    return loop;
  }

  async #gated(loop: WorkLoopHost, action: GateAction, args: unknown[]): Promise<IOReturn> {
    this.#inFlight++;
    this.#activeLoop = loop;
    try {
      return await loop.runAction(() => action(this.owner, ...args));
    } finally {
      if (--this.#inFlight === 0) this.#activeLoop = null;
    }
  }
}
OSMetaClass.define(IOCommandGate, "IOCommandGate");
