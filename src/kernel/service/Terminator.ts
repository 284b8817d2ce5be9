/**
 * Termination in three phases (spec §1.8), on the kernel's termination thread.
 *
 * Phase 1 runs in the caller: breadth-first from the victim, each victim is made inactive (its
 * registered, matched and first-* bits cleared), takes busy +1, gets its IOServiceTerminate
 * notifications, and asks each client `requestTerminate(victim)`; clients that agree (by default:
 * the victim is their only provider) become victims too. Phase 2 is a scheduler task: willTerminate
 * notifications and `client.willTerminate(victim)` top-down, then, deepest victims first, phase 3 is
 * entered, `kIOMessageServiceIsTerminated` goes to clients and interest, and `client.didTerminate`
 * runs (by default it schedules the client's stop unless the client still holds the victim open).
 * A victim without clients is finalized. A batch whose victims have a client that deferred
 * termination (`setTerminateDefer(provider, true)`) waits until that client lifts the deferral.
 *
 * Phase 3 is a FIFO of stop and finalize actions. `finalize(victim)` schedules `stop` for each
 * provider that is not itself terminating. `stop(client, provider)` waits while the client is
 * inactive and not yet finalized (so leaves go first), then calls `client.stop(provider)`, closes
 * the provider if the client had it open, and detaches. A phase-3 provider that loses its last client
 * is finalized in turn, and a victim that has lost its last provider drops the busy +1 of phase 1 —
 * which is what `waitQuiet` on an ancestor waits for. With `kIOServiceSynchronous` all of this runs
 * inline before `terminate` returns.
 */
import { isOSNumber, num } from "../../libkern/index.ts";
import {
  kIOServiceFirstMatchState, kIOServiceFirstPublishState, kIOServiceInactiveState, kIOServiceMatchedState,
  kIOServiceRegisteredState,
} from "../registry/index.ts";
import type { Scheduler } from "../scheduler/index.ts";
import type { IOService } from "./IOService.ts";
import {
  gIOTerminatedNotification, gIOWillTerminateNotification, kIOMessageServiceIsTerminated, kIOServiceSynchronous,
  kIOServiceTerminate, kIOServiceTerminateNeedWillTerminate, kIOServiceTerminateWithRematch,
  kIOServiceTerminateWithRematchCurrentDext, type IONotificationType,
} from "./serviceConstants.ts";

/** What termination needs from the kernel. */
export interface TerminatorHost {
  readonly scheduler: Scheduler;
  log(line: string): void;
  notify(type: IONotificationType, service: IOService): void;
}

type Action = { kind: "stop"; client: IOService; provider: IOService } | { kind: "finalize"; victim: IOService };

const describe = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/** The termination machinery of one kernel. */
export class Terminator {
  readonly #host: TerminatorHost;
  #phase2: Array<{ victims: IOService[]; options: number }> = [];
  /** Batches held back because a client of a victim deferred termination (`setTerminateDefer`). */
  #held: Array<{ victims: IOService[]; options: number }> = [];
  #actions: Action[] = [];
  #posted = false;
  #draining = false;

  constructor(host: TerminatorHost) {
    this.#host = host;
  }

  /** Phase 1 (`terminate`); false when the victim was already inactive. */
  terminate(victim: IOService, options: number): boolean {
    if (victim.isInactive()) return false;
    const opts = options | kIOServiceTerminate;
    const victims: IOService[] = [];
    const mark = (v: IOService): void => {
      v.setStateBits(kIOServiceInactiveState);
      v.clearStateBits(kIOServiceRegisteredState | kIOServiceMatchedState | kIOServiceFirstPublishState | kIOServiceFirstMatchState);
      v.retain();
      v.adjustBusy(1);
      v.termination.busyHeld = true;
      victims.push(v);
    };
    mark(victim);
    if (opts & (kIOServiceTerminateWithRematch | kIOServiceTerminateWithRematchCurrentDext)) victim.termination.rematchOnDetach = true;
    const provider = victim.getProvider();
    if (opts & kIOServiceTerminateWithRematchCurrentDext && provider) {
      // A crashed dext: count the relaunch on the nub and remember which personality to rematch.
      const count = provider.getProperty("IORematchCount");
      provider.setProperty("IORematchCount", num((isOSNumber(count) ? Number(count.value) : 0) + 1, 32));
      const matched = victim.getProperty("IOMatchedPersonality");
      if (matched !== undefined) provider.setProperty("IORematchPersonality", matched);
    }
    for (let i = 0; i < victims.length; i++) {
      const v = victims[i] as IOService;
      this.#host.notify(gIOTerminatedNotification, v);
      for (const c of v.getClients()) {
        if (c.isInactive()) continue;
        let agree = false;
        try {
          agree = c.requestTerminate(v, opts);
        } catch (e) {
          this.#host.log(`${c.getKmodName()}: ${c.className}::requestTerminate threw: ${describe(e)}`);
        }
        if (agree) mark(c);
      }
    }
    this.#phase2.push({ victims, options: opts });
    if (opts & kIOServiceSynchronous) this.#run();
    else if (!this.#posted) {
      this.#posted = true;
      this.#host.scheduler.post(() => this.#run(), "IOTerminateThread");
    }
    return true;
  }

  /** A client lifted its termination deferral: held phase-2 batches go again. */
  resumeDeferred(): void {
    if (this.#held.length === 0) return;
    this.#phase2.push(...this.#held.splice(0));
    this.#kick();
  }

  /** Queues `client.stop(provider)` + close + detach. */
  scheduleStop(client: IOService, provider: IOService): void {
    this.#actions.push({ kind: "stop", client, provider });
    this.#kick();
  }

  /** Queues `finalize(victim)` (once). */
  scheduleFinalize(victim: IOService): void {
    if (victim.termination.finalized || this.#actions.some((a) => a.kind === "finalize" && a.victim === victim)) return;
    this.#actions.push({ kind: "finalize", victim });
    this.#kick();
  }

  /** Detach side effects that concern termination. */
  detached(service: IOService, provider: IOService): void {
    if (provider.termination.phase3 && provider.getClients().length === 0) this.scheduleFinalize(provider);
    const t = service.termination;
    if (service.isInactive() && t.finalized && t.busyHeld && service.getProviders().length === 0) {
      t.busyHeld = false;
      service.adjustBusy(-1);
    }
  }

  /** Termination work not yet done (phase-2 batches and phase-3 actions). */
  get pending(): number {
    return this.#phase2.length + this.#held.length + this.#actions.length;
  }

  #kick(): void {
    if (this.#draining || this.#posted) return;
    this.#posted = true;
    this.#host.scheduler.post(() => this.#run(), "IOTerminateThread");
  }

  #run(): void {
    this.#posted = false;
    if (this.#draining) return;
    this.#draining = true;
    try {
      // Stops may terminate more services (synchronously even): keep going until both queues are empty.
      while (this.#phase2.length > 0 || this.#actions.length > 0) {
        for (let batch = this.#phase2.shift(); batch; batch = this.#phase2.shift()) {
          if (batch.victims.some((v) => v.getClients().some((c) => c.termination.deferProvider))) this.#held.push(batch);
          else this.#doPhase2(batch.victims, batch.options);
        }
        this.#drainActions();
      }
    } finally {
      this.#draining = false;
    }
  }

  #doPhase2(victims: IOService[], options: number): void {
    for (const v of victims) {
      if (options & kIOServiceTerminateNeedWillTerminate) for (const p of v.getProviders()) this.#call(v, "willTerminate", () => v.willTerminate(p, options));
      this.#host.notify(gIOWillTerminateNotification, v);
      for (const c of v.getClients()) this.#call(c, "willTerminate", () => c.willTerminate(v, options));
    }
    for (let i = victims.length - 1; i >= 0; i--) {
      const v = victims[i] as IOService;
      v.termination.phase3 = true;
      v.messageClients(kIOMessageServiceIsTerminated, options);
      for (const c of v.getClients()) this.#call(c, "didTerminate", () => c.didTerminate(v, options));
      if (v.getClients().length === 0) this.scheduleFinalize(v);
      v.release();
    }
  }

  #drainActions(): void {
    for (let a = this.#actions.shift(); a; a = this.#actions.shift()) {
      if (a.kind === "finalize") this.#finalize(a.victim);
      else this.#stop(a.client, a.provider);
    }
  }

  #finalize(victim: IOService): void {
    if (victim.termination.finalized) return;
    victim.termination.finalized = true;
    for (const p of victim.getProviders()) if (!p.termination.phase3) this.scheduleStop(victim, p);
    for (const p of victim.termination.deferredStops.splice(0)) this.scheduleStop(victim, p);
    // A victim with no provider left (or none to begin with) is done now.
    if (victim.getProviders().length === 0 && victim.termination.busyHeld) {
      victim.termination.busyHeld = false;
      victim.adjustBusy(-1);
    }
  }

  #stop(client: IOService, provider: IOService): void {
    if (!client.isParent(provider, "IOService")) return;
    if (client.isInactive() && !client.termination.finalized) {
      if (!client.termination.deferredStops.includes(provider)) client.termination.deferredStops.push(provider);
      return;
    }
    client.retain();
    try {
      this.#call(client, "stop", () => client.stop(provider));
      if (provider.isOpen(client)) provider.close(client);
      if (client.getProviders().length <= 1) this.#call(client, "resource release", () => client.disposeResources());
      client.detach(provider);
    } finally {
      client.release();
    }
  }

  #call(service: IOService, what: string, fn: () => unknown): void {
    try {
      fn();
    } catch (e) {
      this.#host.log(`${service.getKmodName() || "kernel"}: ${service.className}::${what} threw: ${describe(e)}`);
    }
  }
}
