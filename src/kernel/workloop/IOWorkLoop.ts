/**
 * IOWorkLoop: a driver's serialising context — one gate that admits one action at a time, and a
 * work-loop "thread" that drains the event-source chain.
 *
 * Threads here are scheduler tasks. The work-loop thread is a task posted by `signalWorkAvailable`
 * (at most one pending); it closes the gate and asks each enabled, non-passive source in chain order
 * for work until none reports more, restarting from the head when asked (`kLoopRestart`).
 *
 * The gate is a recursive lock over activities that may be asynchronous:
 * - `runAction(fn)` runs `fn` at once when the gate is open — its synchronous part has run by the
 *   time `runAction` returns — or when the caller is already inside a gated action on this loop
 *   (re-entry). Otherwise the request joins a FIFO queue and runs as a scheduler task when the gate
 *   is handed to it. If `fn` returns a promise the gate stays closed until it settles.
 * - `sleepGate(event, deadline)` releases the gate completely while sleeping and takes it back, at
 *   the same depth, before resolving with THREAD_AWAKENED, THREAD_TIMED_OUT or THREAD_INTERRUPTED.
 *   `wakeupGate(event, oneThread)` wakes the sleepers on `event` in the order they went to sleep.
 *
 * Divergence from XNU: JavaScript has no thread identity, so re-entry is recognised only while the
 * holder runs synchronously; after its first `await`, an async action that calls `runAction` on its
 * own loop queues behind itself. Likewise `inGate()` means "the gate is closed by an action that is
 * not sleeping", not "closed by the calling thread".
 */
import { BugError } from "../../base/index.ts";
import { OSMetaClass, OSObject } from "../object/index.ts";
import type { Scheduler, TaskHandle } from "../scheduler/index.ts";
import type { IOEventSource, WorkLoopHost } from "./IOEventSource.ts";

/** `THREAD_AWAKENED`: woken by `wakeupGate`/`commandWakeup`. */
export const THREAD_AWAKENED = 0;
/** `THREAD_TIMED_OUT`: the sleep deadline passed. */
export const THREAD_TIMED_OUT = 1;
/** `THREAD_INTERRUPTED`: an interruptible sleep was aborted (work loop torn down). */
export const THREAD_INTERRUPTED = 2;

interface Sleeper {
  readonly event: unknown;
  readonly interruptible: boolean;
  timer: TaskHandle | undefined;
  wake(result: number): void;
}

const MAX_SCANS = 1_000_000;

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";

/** A serialising context: one gate, one thread, an event-source chain. */
export class IOWorkLoop extends OSObject implements WorkLoopHost {
  readonly scheduler: Scheduler;
  /** The work thread's name: the owner's class name, as xnu names it. */
  name: string;
  #depth = 0;
  #syncDepth = 0;
  #threadDepth = 0;
  #waiters: Array<() => void> = [];
  #sleepers: Sleeper[] = [];
  #sources: IOEventSource[] = [];
  #threadPosted = false;
  #restart = false;

  constructor(scheduler: Scheduler, name = "IOWorkLoop") {
    super();
    this.scheduler = scheduler;
    this.name = name;
  }

  /** `IOWorkLoop::workLoop()`. */
  static workLoop(scheduler: Scheduler, name?: string): IOWorkLoop {
    return new IOWorkLoop(scheduler, name);
  }

  /** True while the work-loop thread runs its event sources. */
  onThread(): boolean {
    return this.#threadDepth > 0;
  }

  /** True while the gate is closed by an action that is not sleeping. */
  inGate(): boolean {
    return this.#depth > 0;
  }

  /** Takes the gate if it is open or already held by the synchronously running caller. */
  tryCloseGate(): boolean {
    if (this.#depth !== 0 && this.#syncDepth === 0) return false;
    this.#depth++;
    return true;
  }

  /**
   * Takes the gate. A synchronous caller cannot block, so this throws when another activity holds it.
   * @throws {BugError} when the gate is held by a sleeping or awaiting action; use `runAction`.
   */
  closeGate(): void {
    if (!this.tryCloseGate()) throw new BugError(`${this.name}: closeGate would block; use runAction()`);
  }

  /** Releases one level of the gate; at zero the next queued activity gets it. */
  openGate(): void {
    if (this.#depth <= 0) throw new BugError(`${this.name}: openGate without closeGate`);
    if (--this.#depth === 0) this.#handOff();
  }

  /** Runs `fn` holding the gate (`runAction`); resolves with its result. */
  runAction<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.tryCloseGate()) return this.#runHeld(fn);
    const d = this.scheduler.deferred<T>();
    this.#waiters.push(() => {
      this.#runHeld(fn).then(d.resolve, d.reject);
    });
    return d.promise;
  }

  /** Like `runAction`, but fails at once (false) instead of queueing when the gate is busy. */
  tryRunAction<T>(fn: () => T | Promise<T>): { ok: true; result: Promise<T> } | { ok: false } {
    if (!this.tryCloseGate()) return { ok: false };
    return { ok: true, result: this.#runHeld(fn) };
  }

  /**
   * Sleeps on `event`, releasing the gate meanwhile (`sleepGate`). `deadline` is absolute virtual
   * time in ns (0 or undefined: no deadline).
   * @throws {BugError} when the gate is not held.
   */
  sleepGate(event: unknown, deadline = 0, interruptible = false): Promise<number> {
    if (this.#depth === 0) throw new BugError("invalid commandSleep while not holding the gate");
    const saved = this.#depth;
    this.#depth = 0;
    this.#handOff();
    const d = this.scheduler.deferred<number>();
    const sleeper: Sleeper = {
      event,
      interruptible,
      timer: undefined,
      wake: (result) => {
        const i = this.#sleepers.indexOf(sleeper);
        if (i < 0) return;
        this.#sleepers.splice(i, 1);
        sleeper.timer?.cancel();
        this.#acquire(() => {
          this.#depth = saved;
          d.resolve(result);
        });
      },
    };
    this.#sleepers.push(sleeper);
    if (deadline > 0) sleeper.timer = this.scheduler.postAt(deadline, () => sleeper.wake(THREAD_TIMED_OUT), `${this.name} sleep timeout`);
    return d.promise;
  }

  /** Wakes the sleepers on `event`: the earliest one, or all (`wakeupGate`). */
  wakeupGate(event: unknown, oneThread = false): void {
    for (const s of this.#sleepers.filter((x) => x.event === event)) {
      s.wake(THREAD_AWAKENED);
      if (oneThread) break;
    }
  }

  /** Aborts every interruptible sleeper with THREAD_INTERRUPTED. */
  interruptSleepers(): void {
    for (const s of this.#sleepers.filter((x) => x.interruptible)) s.wake(THREAD_INTERRUPTED);
  }

  /** Number of activities sleeping on the gate. */
  get sleeperCount(): number {
    return this.#sleepers.length;
  }

  /** Adds `source` to the end of the chain (gated) and signals the thread. */
  addEventSource(source: IOEventSource): void {
    if (this.#sources.includes(source)) return;
    source.retain();
    this.#sources.push(source);
    source.setWorkLoop(this);
    this.signalWorkAvailable();
  }

  /** Removes `source` from the chain and releases it. */
  removeEventSource(source: IOEventSource): void {
    const i = this.#sources.indexOf(source);
    if (i < 0) return;
    this.#sources.splice(i, 1);
    this.#restart = true;
    source.setWorkLoop(null);
    source.release();
  }

  /** The event-source chain, in order. */
  eventSources(): readonly IOEventSource[] {
    return this.#sources;
  }

  /** Wakes the work-loop thread: posts its task unless one is already pending. */
  signalWorkAvailable(): void {
    if (this.#threadPosted) return;
    this.#threadPosted = true;
    this.scheduler.post(() => {
      this.#threadPosted = false;
      this.#acquire(() => this.#threadMain());
    }, this.name);
  }

  restartScan(): void {
    this.#restart = true;
  }

  protected override free(): void {
    for (const s of [...this.#sources]) this.removeEventSource(s);
    this.interruptSleepers();
  }

  #threadMain(): void {
    this.#threadDepth++;
    this.#syncDepth++;
    try {
      let more = true;
      for (let scans = 0; more; scans++) {
        if (scans >= MAX_SCANS) throw new BugError(`${this.name}: an event source reports work forever`);
        more = false;
        this.#restart = false;
        for (const es of [...this.#sources]) {
          if (!es.isEnabled() || es.isPassive || es.getWorkLoop() !== this) continue;
          if (es.checkForWork()) more = true;
          if (this.#restart) {
            more = true;
            break;
          }
        }
      }
    } finally {
      this.#syncDepth--;
      this.#threadDepth--;
      this.openGate();
    }
  }

  /** Runs `cb` with the gate held (depth 1 on entry); queues when busy. */
  #acquire(cb: () => void): void {
    if (this.#depth === 0) {
      this.#depth = 1;
      cb();
    } else {
      this.#waiters.push(cb);
    }
  }

  #handOff(): void {
    const next = this.#waiters.shift();
    if (!next) return;
    this.#depth = 1; // reserved for `next`, so later arrivals queue behind it
    this.scheduler.post(next, `${this.name} gate`);
  }

  #runHeld<T>(fn: () => T | Promise<T>): Promise<T> {
    let r: T | Promise<T>;
    this.#syncDepth++;
    try {
      r = fn();
    } catch (e) {
      this.#syncDepth--;
      this.openGate();
      return Promise.reject(e);
    }
    this.#syncDepth--;
    if (isThenable(r)) {
      this.scheduler.markAsync();
      return Promise.resolve(r).finally(() => this.openGate());
    }
    this.openGate();
    return Promise.resolve(r);
  }
}
OSMetaClass.define(IOWorkLoop, "IOWorkLoop");
