/**
 * IOTimerEventSource: a one-shot timer whose action runs gated on the work loop.
 *
 * Arming (`setTimeout*`, `wakeAtTime`) replaces any pending timeout: the source remembers one
 * absolute deadline and a generation number. Expiry is a scheduler task at that deadline which takes
 * the gate and then re-checks, under the gate, that the source is still enabled and that the deadline
 * it was armed for is still the current one; a `cancelTimeout` or a re-arm that slipped in while the
 * expiry waited for the gate therefore makes it do nothing. The deadline is cleared before the action
 * runs, so an action may re-arm the timer — the tight re-arm loop of Apple's IOWorkLoopTest.
 *
 * `disable()` cancels the pending expiry but keeps the deadline; `enable()` re-arms it.
 */
import { kIOReturnNoResources, kIOReturnSuccess, type IOReturn } from "../../base/index.ts";
import { OSMetaClass } from "../object/index.ts";
import { NS_PER_MS, NS_PER_US, type TaskHandle } from "../scheduler/index.ts";
import { IOEventSource, type WorkLoopHost } from "./IOEventSource.ts";

/** The timer's action: `action(owner, sender)`, run with the gate held. */
export type TimerAction = (owner: object | null, sender: IOTimerEventSource) => void | Promise<void>;

/** `kIOTimeOptionsWithLeeway`. */
export const kIOTimeOptionsWithLeeway = 0x20;
/** `kIOTimeOptionsContinuous`. */
export const kIOTimeOptionsContinuous = 0x100;

/** A one-shot timer on a work loop. */
export class IOTimerEventSource extends IOEventSource {
  #action: TimerAction | null = null;
  #deadline = 0;
  #generation = 0;
  #pending: TaskHandle | undefined;
  #fired = 0;

  /** `IOTimerEventSource::timerEventSource(owner, action)`. */
  static timerEventSource(owner: object | null, action: TimerAction | null): IOTimerEventSource {
    const t = new IOTimerEventSource();
    t.owner = owner;
    t.#action = action;
    return t;
  }

  /** The absolute deadline in ns (0: not armed). */
  get deadline(): number {
    return this.#deadline;
  }

  /** How many times the action has run. */
  get fireCount(): number {
    return this.#fired;
  }

  setAction(action: TimerAction | null): void {
    this.#action = action;
  }

  setTimeoutMS(ms: number): IOReturn {
    return this.setTimeout(ms, NS_PER_MS);
  }

  setTimeoutUS(us: number): IOReturn {
    return this.setTimeout(us, NS_PER_US);
  }

  setTimeoutNS(ns: number): IOReturn {
    return this.setTimeout(ns, 1);
  }

  /** Arms the timer `interval × scaleNs` nanoseconds from now, replacing any pending timeout. */
  setTimeout(interval: number, scaleNs: number, _options = 0): IOReturn {
    const loop = this.getWorkLoop();
    const now = loop ? loop.scheduler.now() : 0;
    return this.wakeAtTime(now + Math.max(0, Math.round(interval * scaleNs)));
  }

  /** Arms the timer for absolute time `deadline` (ns). A zero deadline, or a disabled source, does not arm. */
  wakeAtTime(deadline: number, _options = 0): IOReturn {
    if (!this.#action) return kIOReturnNoResources;
    this.#pending?.cancel();
    this.#pending = undefined;
    this.#deadline = deadline;
    this.#generation++;
    this.#arm();
    return kIOReturnSuccess;
  }

  /** Clears the deadline; an expiry already waiting for the gate then does nothing. */
  cancelTimeout(): void {
    this.#pending?.cancel();
    this.#pending = undefined;
    this.#deadline = 0;
    this.#generation++;
  }

  override enable(): void {
    super.enable();
    this.#arm();
  }

  override disable(): void {
    this.#pending?.cancel();
    this.#pending = undefined;
    super.disable();
  }

  override setWorkLoop(loop: WorkLoopHost | null): void {
    if (!loop) {
      this.#pending?.cancel();
      this.#pending = undefined;
    }
    super.setWorkLoop(loop);
    if (loop) this.#arm();
  }

  protected override free(): void {
    this.cancelTimeout();
    super.free();
  }

  #arm(): void {
    const loop = this.getWorkLoop();
    if (!loop || !this.isEnabled() || this.#deadline === 0 || this.#pending) return;
    const gen = this.#generation;
    this.#pending = loop.scheduler.postAt(this.#deadline, () => {
      this.#pending = undefined;
      void loop.runAction(() => {
        if (gen !== this.#generation || !this.isEnabled() || this.getWorkLoop() !== loop) return undefined;
        this.#deadline = 0;
        this.#fired++;
        return this.#action?.(this.owner, this);
      });
    }, "IOTimerEventSource");
  }
}
OSMetaClass.define(IOTimerEventSource, "IOTimerEventSource");
