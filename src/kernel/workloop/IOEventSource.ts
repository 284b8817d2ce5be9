/**
 * IOEventSource: something that produces work for a work loop — an interrupt, a timer, a command
 * gate. Sources form a chain on their work loop; the work-loop thread asks each enabled, non-passive
 * source in chain order whether it has work (`checkForWork`) until none has.
 *
 * This file does not import IOWorkLoop (that would be an import cycle); it talks to its loop through
 * the {@link WorkLoopHost} interface, which IOWorkLoop implements.
 */
import { OSMetaClass, OSObject } from "../object/index.ts";
import type { Scheduler } from "../scheduler/index.ts";

/** What an event source needs from its work loop. */
export interface WorkLoopHost {
  readonly scheduler: Scheduler;
  /** Wakes the work-loop thread (it runs as a scheduler task). */
  signalWorkAvailable(): void;
  /** True while the work-loop thread is running its event sources. */
  onThread(): boolean;
  /** True while the gate is closed by a running (not sleeping) action. */
  inGate(): boolean;
  /** Runs `fn` holding the gate; resolves with its result. */
  runAction<T>(fn: () => T | Promise<T>): Promise<T>;
  /** Runs `fn` holding the gate only if it can be taken now. */
  tryRunAction<T>(fn: () => T | Promise<T>): { ok: true; result: Promise<T> } | { ok: false };
  /** Sleeps on `event` with the gate released; resolves with a THREAD_* result. */
  sleepGate(event: unknown, deadline?: number, interruptible?: boolean): Promise<number>;
  /** Wakes sleepers on `event`. */
  wakeupGate(event: unknown, oneThread?: boolean): void;
  /** Makes the work-loop thread rescan the chain from its head. */
  restartScan(): void;
}

/** The base of all event sources. */
export class IOEventSource extends OSObject {
  #workLoop: WorkLoopHost | null = null;
  #enabled = true;
  /** The object on whose behalf the source acts (`owner`); passed to actions. */
  owner: object | null = null;

  /** Passive sources (command gates) are never asked `checkForWork`. */
  get isPassive(): boolean {
    return false;
  }

  /** Called by IOWorkLoop when the source is added (`loop`) or removed (`null`). */
  setWorkLoop(loop: WorkLoopHost | null): void {
    this.#workLoop = loop;
  }

  getWorkLoop(): WorkLoopHost | null {
    return this.#workLoop;
  }

  isEnabled(): boolean {
    return this.#enabled;
  }

  /** Enables the source and signals the loop so pending work is picked up. */
  enable(): void {
    this.#enabled = true;
    this.#workLoop?.signalWorkAvailable();
  }

  disable(): void {
    this.#enabled = false;
  }

  /** True while the caller runs on this source's work-loop thread. */
  onThread(): boolean {
    return this.#workLoop?.onThread() ?? false;
  }

  /** Asks the work loop to run `checkForWork` soon. */
  signalWorkAvailable(): void {
    this.#workLoop?.signalWorkAvailable();
  }

  /**
   * Called on the work-loop thread with the gate held. Returns true when more work remains, so the
   * loop scans the chain again.
   */
  checkForWork(): boolean {
    return false;
  }
}
OSMetaClass.define(IOEventSource, "IOEventSource");
