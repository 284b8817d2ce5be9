/**
 * The one scheduler of the kernel: every asynchronous thing the kernel does — work-loop threads,
 * command-gate wake-ups, timers, interrupts, matching and termination threads, notifications — is a
 * task posted here, so a run is a single, reproducible sequence of tasks.
 *
 * Mechanism. Tasks wait in a binary heap keyed by `(deadline, tie, sequence)`. The deadline is in
 * virtual nanoseconds. `sequence` increases with every post, so by default tasks due at the same
 * instant run in posting order (FIFO). With `shuffleTies`, `tie` is drawn from a xorshift32 PRNG
 * seeded by `seed`: tasks due at the same instant then run in a seeded pseudo-random order, which
 * explores other legal interleavings of "threads" while staying reproducible — the same seed and the
 * same inputs give the same order. A kernel invariant must hold under any such order; FIFO order
 * inside one work loop is kept by the work loop's own queue, never by the heap.
 *
 * Time. In virtual mode (the default) time moves only when the caller says so: `runUntilIdle()` runs
 * what is due now, `advance(ms)` moves the clock forward running tasks in deadline order, and
 * `runAll()` jumps from deadline to deadline until nothing is left, so a 60 s timeout passes
 * instantly. In real-time mode (the daemon) the clock follows `performance.now()` and a single
 * `globalThis.setTimeout` pumps due tasks; nothing here imports a Node module.
 *
 * Promises. Tasks are synchronous functions. Kernel code that hands control to promise-land (wakes a
 * `commandSleep`, starts an async gated action) calls {@link Scheduler.markAsync} or uses
 * {@link Scheduler.deferred}; the runner then yields one macrotask after that task so every promise
 * continuation settles before the next task runs. Continuations thus run in a deterministic place.
 */
import { BugError } from "../../base/index.ts";

/** A posted task's handle. */
export interface TaskHandle {
  /** Removes the task if it has not run yet; returns whether it was still pending. */
  cancel(): boolean;
  /** Virtual deadline in nanoseconds. */
  readonly deadline: number;
}

/** Options of a {@link Scheduler}. */
export interface SchedulerOptions {
  /** PRNG seed (any 32-bit integer); default 1. */
  readonly seed?: number;
  /** Break ties between tasks due at the same instant with the PRNG instead of FIFO. */
  readonly shuffleTies?: boolean;
  /** Follow the wall clock and pump with `setTimeout` (the daemon); default false (virtual time). */
  readonly realTime?: boolean;
}

interface Entry {
  readonly deadline: number;
  readonly tie: number;
  readonly seq: number;
  readonly fn: () => void;
  readonly name: string;
  live: boolean;
}

/** Nanoseconds per millisecond. */
export const NS_PER_MS = 1_000_000;
/** Nanoseconds per microsecond. */
export const NS_PER_US = 1_000;

const before = (a: Entry, b: Entry): boolean =>
  a.deadline !== b.deadline ? a.deadline < b.deadline : a.tie !== b.tie ? a.tie < b.tie : a.seq < b.seq;

const yieldMacrotask = (): Promise<void> =>
  new Promise((resolve) => {
    if (typeof globalThis.setImmediate === "function") globalThis.setImmediate(resolve);
    else globalThis.setTimeout(resolve, 0);
  });

/** A seeded deterministic scheduler with virtual (or real) time. */
export class Scheduler {
  readonly seed: number;
  readonly realTime: boolean;
  readonly #shuffle: boolean;
  #prng: number;
  #heap: Entry[] = [];
  #dead = 0;
  #seq = 0;
  #now = 0;
  #asyncPending = false;
  #running = false;
  #executed = 0;
  #t0: number;
  #timer: ReturnType<typeof globalThis.setTimeout> | undefined;
  #timerAt = Infinity;
  #stopped = false;
  #pumpError: ((e: unknown) => void) | undefined;
  /** The name of the task running now, for logs; "" outside tasks. */
  current = "";
  /** Called before every task with its virtual time and name: a trace for comparing runs. */
  onTask: ((timeNs: number, name: string) => void) | undefined;

  constructor(options: SchedulerOptions = {}) {
    this.seed = (options.seed ?? 1) | 0;
    this.#prng = this.seed === 0 ? 0x9e3779b9 : this.seed >>> 0;
    this.#shuffle = options.shuffleTies ?? false;
    this.realTime = options.realTime ?? false;
    this.#t0 = globalThis.performance.now();
  }

  /** Current time in nanoseconds. */
  now(): number {
    if (this.realTime) this.#now = Math.max(this.#now, Math.round((globalThis.performance.now() - this.#t0) * NS_PER_MS));
    return this.#now;
  }

  /** Current time in milliseconds. */
  nowMS(): number {
    return this.now() / NS_PER_MS;
  }

  /** The next PRNG value in [0, 2^32) (xorshift32): the one source of randomness in the kernel. */
  random(): number {
    let x = this.#prng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#prng = x >>> 0;
    return this.#prng;
  }

  /** Number of tasks waiting. */
  get pending(): number {
    return this.#heap.length - this.#dead;
  }

  /** Heap slots in use, cancelled tasks included (bounded: cancelled tasks are compacted away). */
  get heapSize(): number {
    return this.#heap.length;
  }

  /**
   * A cancelled task stays in the heap until popped; cancelled timers far in the future would pile
   * up (a driver re-arming a 1 s timeout every cycle), so rebuild the heap once most of it is dead.
   */
  #noteDead(): void {
    this.#dead++;
    if (this.#dead < 64 || this.#dead * 2 < this.#heap.length) return;
    const live = this.#heap.filter((e) => e.live);
    this.#heap = [];
    this.#dead = 0;
    for (const e of live) this.#push(e);
  }

  /** Number of tasks run since creation. */
  get executed(): number {
    return this.#executed;
  }

  /** Posts `fn` to run at the current instant, after the tasks already due. */
  post(fn: () => void, name = "task"): TaskHandle {
    return this.postAt(this.now(), fn, name);
  }

  /** Posts `fn` to run `ns` nanoseconds from now. */
  postAfter(ns: number, fn: () => void, name = "timer"): TaskHandle {
    return this.postAt(this.now() + Math.max(0, ns), fn, name);
  }

  /** Posts `fn` to run at absolute virtual time `deadline` (ns); a past deadline means now. */
  postAt(deadline: number, fn: () => void, name = "timer"): TaskHandle {
    const entry: Entry = {
      deadline: Math.max(deadline, this.#now),
      tie: this.#shuffle ? this.random() : 0,
      seq: this.#seq++,
      fn,
      name,
      live: true,
    };
    this.#push(entry);
    if (this.realTime) this.#arm();
    return {
      deadline: entry.deadline,
      cancel: () => {
        const was = entry.live;
        entry.live = false;
        if (was) this.#noteDead();
        return was;
      },
    };
  }

  /** Tells the runner that a promise continuation is pending: it yields a macrotask after this task. */
  markAsync(): void {
    this.#asyncPending = true;
  }

  /** A promise whose `resolve` marks the scheduler async, so its continuation runs before the next task. */
  deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (e: unknown) => void } {
    let res!: (value: T) => void;
    let rej!: (e: unknown) => void;
    const promise = new Promise<T>((a, b) => {
      res = a;
      rej = b;
    });
    return {
      promise,
      resolve: (v) => {
        this.markAsync();
        res(v);
      },
      reject: (e) => {
        this.markAsync();
        rej(e);
      },
    };
  }

  /** A promise resolved `ns` nanoseconds of (virtual) time from now. */
  sleep(ns: number): Promise<void> {
    const d = this.deferred<void>();
    this.postAfter(ns, () => d.resolve(), "sleep");
    return d.promise;
  }

  /** Runs every task due at the current instant, including those they post for now. */
  async runUntilIdle(limit = 10_000_000): Promise<number> {
    return this.#run(this.now(), limit);
  }

  /** Moves virtual time forward by `ms`, running tasks in deadline order on the way. */
  async advance(ms: number, limit = 10_000_000): Promise<number> {
    if (this.realTime) throw new BugError("Scheduler.advance() is for virtual time only");
    const target = this.#now + Math.round(ms * NS_PER_MS);
    const n = await this.#run(target, limit);
    this.#now = Math.max(this.#now, target);
    return n;
  }

  /** Runs until no task is left, jumping virtual time to each next deadline; `limit` bounds periodic timers. */
  async runAll(limit = 10_000_000): Promise<number> {
    return this.#run(Infinity, limit);
  }

  /**
   * Synchronous variant of {@link runUntilIdle} for callers that know no promise is involved
   * (benchmarks, synchronous matching). Throws if a task marks itself async.
   */
  runUntilIdleSync(limit = 10_000_000): number {
    let n = 0;
    const horizon = this.now();
    for (let e = this.#popDue(horizon); e; e = this.#popDue(horizon)) {
      this.#exec(e);
      if (this.#asyncPending) throw new BugError(`task "${e.name}" went async inside runUntilIdleSync()`);
      if (++n >= limit) break;
    }
    return n;
  }

  /** Real-time mode: route errors thrown by pumped tasks (default: rethrow asynchronously). */
  onPumpError(handler: (e: unknown) => void): void {
    this.#pumpError = handler;
  }

  /** Real-time mode: stop pumping for good (pending tasks stay queued; later posts do not re-arm). */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) globalThis.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  async #run(horizon: number, limit: number): Promise<number> {
    if (this.#running) throw new BugError("Scheduler run re-entered from inside a task");
    this.#running = true;
    let n = 0;
    try {
      for (let e = this.#popDue(horizon); e; e = this.#popDue(horizon)) {
        this.#exec(e);
        n++;
        if (this.#asyncPending) {
          this.#asyncPending = false;
          await yieldMacrotask();
        }
        if (n >= limit) break;
      }
    } finally {
      this.#running = false;
    }
    return n;
  }

  #exec(e: Entry): void {
    if (e.deadline > this.#now) this.#now = e.deadline;
    this.current = e.name;
    this.#executed++;
    this.onTask?.(this.#now, e.name);
    try {
      e.fn();
    } finally {
      this.current = "";
    }
  }

  #popDue(horizon: number): Entry | undefined {
    for (;;) {
      const top = this.#heap[0];
      if (top === undefined) return undefined;
      if (!top.live) {
        this.#pop();
        this.#dead--;
        continue;
      }
      if (top.deadline > horizon) return undefined;
      this.#pop();
      top.live = false; // ran (or about to): a later cancel() reports false
      return top;
    }
  }

  #arm(): void {
    if (this.#stopped) return;
    let top = this.#heap[0];
    while (top !== undefined && !top.live) {
      this.#pop();
      this.#dead--;
      top = this.#heap[0];
    }
    if (top === undefined || top.deadline >= this.#timerAt) return;
    if (this.#timer !== undefined) globalThis.clearTimeout(this.#timer);
    this.#timerAt = top.deadline;
    // setTimeout takes at most 2^31−1 ms (about 24.8 days); a later deadline (a wake scheduled for
    // next year) re-arms when that timer fires instead of overflowing to a 1 ms busy loop.
    const delayMs = Math.min(0x7fff_ffff, Math.max(0, (top.deadline - this.now()) / NS_PER_MS));
    this.#timer = globalThis.setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      if (this.#running) {
        this.#arm();
        return;
      }
      this.#run(this.now(), 10_000_000).then(
        () => this.#arm(),
        (e: unknown) => {
          this.#arm();
          if (this.#pumpError) this.#pumpError(e);
          else throw e;
        },
      );
    }, delayMs);
  }

  #push(e: Entry): void {
    const h = this.#heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i] as Entry, h[p] as Entry)) break;
      [h[i], h[p]] = [h[p] as Entry, h[i] as Entry];
      i = p;
    }
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop();
    if (h.length === 0 || last === undefined) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l] as Entry, h[m] as Entry)) m = l;
      if (r < h.length && before(h[r] as Entry, h[m] as Entry)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m] as Entry, h[i] as Entry];
      i = m;
    }
  }
}
