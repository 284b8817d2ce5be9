/**
 * Arbitration locks (`lockForArbitration` / `unlockForArbitration`): one recursive lock per service,
 * taken around changes of state or ownership (open, close, termination).
 *
 * Threads. A lock is owned by an {@link IOThread}: a token standing for one activity. Synchronous
 * kernel code runs on {@link kIOKernelThread}; code that must wait for a lock runs as an async
 * activity with a thread of its own and calls {@link ArbitrationLocks.lockAsync}. Waiters queue per
 * service in arrival order and are handed the lock as a scheduler task.
 *
 * Deadlock. Before waiting, the requester follows the wait-for chain from the lock's owner (the
 * lock that owner waits for, that lock's owner, …). If the chain comes back to the requester, waiting
 * would deadlock: a request with `isSuccessRequired = false` then fails at once (returns false), as
 * xnu's does. A required request waits regardless — the caller asked for it.
 *
 * Divergence from XNU: a synchronous caller cannot block, so a required `lockForArbitration` on a
 * lock another thread holds throws a BugError instead of sleeping; use `lockAsync` from an activity.
 */
import { BugError } from "../../base/index.ts";
import type { Scheduler } from "../scheduler/index.ts";

/** An activity that can own arbitration locks. */
export class IOThread {
  readonly name: string;

  constructor(name: string) {
    this.name = name;
  }
}

/** The thread synchronous kernel code runs on. */
export const kIOKernelThread = new IOThread("kernel");

interface Held {
  owner: IOThread;
  count: number;
}

/** The arbitration locks of one kernel, keyed by service. */
export class ArbitrationLocks<K extends object = object> {
  readonly #scheduler: Scheduler;
  readonly #held = new Map<K, Held>();
  readonly #queues = new Map<K, Array<{ owner: IOThread; grant: () => void }>>();
  /** What each waiting thread waits for. */
  readonly #waitsFor = new Map<IOThread, K>();

  constructor(scheduler: Scheduler) {
    this.#scheduler = scheduler;
  }

  /** Takes the lock if it is free or already `owner`'s; false otherwise. */
  tryLock(key: K, owner: IOThread): boolean {
    const h = this.#held.get(key);
    if (h === undefined) {
      this.#held.set(key, { owner, count: 1 });
      return true;
    }
    if (h.owner !== owner) return false;
    h.count++;
    return true;
  }

  /**
   * Synchronous `lockForArbitration`: true when taken; false when `isSuccessRequired` is false and
   * another thread holds it.
   * @throws {BugError} when a required lock is held by another thread (a synchronous caller cannot wait).
   */
  lock(key: K, owner: IOThread, isSuccessRequired: boolean): boolean {
    if (this.tryLock(key, owner)) return true;
    if (!isSuccessRequired) return false;
    throw new BugError(`lockForArbitration would block thread "${owner.name}": the lock is held by "${this.#held.get(key)?.owner.name}"`);
  }

  /** `lockForArbitration` from an activity that may wait; false only for a non-required request that would deadlock. */
  lockAsync(key: K, owner: IOThread, isSuccessRequired: boolean): Promise<boolean> {
    if (this.tryLock(key, owner)) return Promise.resolve(true);
    if (!isSuccessRequired && this.wouldDeadlock(key, owner)) return Promise.resolve(false);
    const d = this.#scheduler.deferred<boolean>();
    const queue = this.#queues.get(key) ?? [];
    queue.push({ owner, grant: () => d.resolve(true) });
    this.#queues.set(key, queue);
    this.#waitsFor.set(owner, key);
    return d.promise;
  }

  /** Whether `owner` waiting for `key` closes a cycle in the wait-for graph. */
  wouldDeadlock(key: K, owner: IOThread): boolean {
    const seen = new Set<IOThread>();
    for (let k: K | undefined = key; k !== undefined;) {
      const holder = this.#held.get(k)?.owner;
      if (holder === undefined) return false;
      if (holder === owner) return true;
      if (seen.has(holder)) return false;
      seen.add(holder);
      k = this.#waitsFor.get(holder);
    }
    return false;
  }

  /** `unlockForArbitration`: drops one level; at zero the first waiter gets the lock. */
  unlock(key: K, owner: IOThread): void {
    const h = this.#held.get(key);
    if (h === undefined || h.owner !== owner) throw new BugError(`unlockForArbitration by "${owner.name}" of a lock it does not hold`);
    if (--h.count > 0) return;
    this.#held.delete(key);
    const queue = this.#queues.get(key);
    const next = queue?.shift();
    if (queue && queue.length === 0) this.#queues.delete(key);
    if (!next) return;
    this.#held.set(key, { owner: next.owner, count: 1 });
    this.#waitsFor.delete(next.owner);
    this.#scheduler.post(next.grant, "arbitration");
  }

  /** The owner of a lock, if held. */
  owner(key: K): IOThread | undefined {
    return this.#held.get(key)?.owner;
  }
}
