/**
 * The power-management work queue: one FIFO per kernel, drained by a single scheduler task named
 * `IOPMWorkQueue` (xnu's gIOPMWorkQueue on the PM work loop).
 *
 * Every step of every power change — a child's start after its parent notified it, a parent's
 * continuation after its last acknowledgement — is an item here, so the order of `setPowerState`
 * calls is the queue's order and a deep power tree never deepens the JavaScript stack. Timers
 * (acknowledgement deadlines, settle times, idle timers) are scheduler tasks that push items back.
 *
 * Invariant: at most one drain task is pending; items pushed during a drain run in the same drain.
 */
import type { Scheduler } from "../scheduler/index.ts";

export class IOPMWorkQueue {
  readonly #scheduler: Scheduler;
  #items: (() => void)[] = [];
  #head = 0;
  #posted = false;
  #halted = false;
  /** Items run so far (for benchmarks and the `WQ-*` statistics). */
  executed = 0;

  constructor(scheduler: Scheduler) {
    this.#scheduler = scheduler;
  }

  /** Appends an item; the drain task is posted if none is pending. */
  push(item: () => void): void {
    if (this.#halted) return;
    this.#items.push(item);
    if (!this.#posted) {
      this.#posted = true;
      this.#scheduler.post(() => this.#drain(), "IOPMWorkQueue");
    }
  }

  /** Items waiting. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Stops all further work (a simulated panic halts the machine). */
  halt(): void {
    this.#halted = true;
    this.#items = [];
    this.#head = 0;
  }

  get halted(): boolean {
    return this.#halted;
  }

  #drain(): void {
    this.#posted = false;
    while (this.#head < this.#items.length) {
      const item = this.#items[this.#head]!;
      this.#items[this.#head++] = NOOP;
      this.executed++;
      item();
      if (this.#halted) return;
      if (this.#head > 4096 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
    }
    this.#items.length = 0;
    this.#head = 0;
  }
}

const NOOP = (): void => {};
