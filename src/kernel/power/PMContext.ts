/**
 * The power-management state shared by one kernel: its work queue, the acknowledgement-timeout
 * policy, the simulated panic (if one happened), the PM event log `pmset -g log` prints, and the
 * listeners other layers use to observe system power (kext auto-unload suspension).
 *
 * Found through a service's registry, like the service runtime, so power management needs no hook
 * in IOKernel: the first `PMinit` of a kernel creates its context.
 */
import type { RegistryHost } from "../registry/index.ts";
import type { Scheduler } from "../scheduler/index.ts";
import { IOPMWorkQueue } from "./IOPMWorkQueue.ts";

/**
 * What happens when a driver misses its acknowledgement deadline.
 * - `log`: log and carry on as if it had acknowledged (release macOS, third-party drivers);
 * - `release`: panic for Apple's and the kernel's own drivers, log for everyone else (release macOS);
 * - `panic`: always panic (DEVELOPMENT kernels without `setpowerstate_panic=0`).
 */
export type AckTimeoutPolicy = "log" | "release" | "panic";

/** One line of the PM event log. */
export interface PMLogEvent {
  /** Virtual time in nanoseconds. */
  readonly timeNs: number;
  /** `Sleep`, `Wake`, `DarkWake`, `Assertions`, `Failure`, `Notification`, `Start`, `Wake Requests`… */
  readonly domain: string;
  readonly message: string;
  /** Duration in seconds for Sleep/Wake rows, when known. */
  readonly durationS?: number;
}

/** A misbehaving driver, as the PM layer reports it. */
export interface PMFault {
  readonly timeNs: number;
  /** `ackTimeout`, `threw`, `unexpectedAck`, `nonsense`, `informeeTimeout`, `clientTimeout`. */
  readonly kind: string;
  readonly bundle: string;
  /** The service (or client) name. */
  readonly service: string;
  readonly message: string;
}

/** A system power event other layers can observe. */
export type SystemPowerEvent = "willSleep" | "didSleep" | "willWake" | "didWake" | "darkWake" | "sleepCancelled";

export class PMContext {
  readonly scheduler: Scheduler;
  readonly queue: IOPMWorkQueue;
  readonly log: (line: string) => void;
  ackTimeoutPolicy: AckTimeoutPolicy = "release";
  /** The simulated panic's log, once a panic happened; the machine is halted then. */
  panicLog: string | undefined;
  /** The PM event log, oldest first, bounded. */
  readonly events: PMLogEvent[] = [];
  readonly eventCapacity = 4096;
  readonly #listeners = new Set<(e: SystemPowerEvent) => void>();
  readonly #faultListeners = new Set<(f: PMFault) => void>();
  /** Set by IOPMrootDomain when it starts. */
  rootDomain: unknown;

  constructor(scheduler: Scheduler, log: (line: string) => void) {
    this.scheduler = scheduler;
    this.queue = new IOPMWorkQueue(scheduler);
    this.log = log;
  }

  /** Appends to the PM event log. */
  event(domain: string, message: string, durationS?: number): void {
    if (this.events.length >= this.eventCapacity) this.events.splice(0, this.events.length - this.eventCapacity + 1);
    this.events.push(durationS === undefined ? { timeNs: this.scheduler.now(), domain, message } : { timeNs: this.scheduler.now(), domain, message, durationS });
  }

  /** Logs a misbehaving driver's fault (with its bundle id) and tells fault listeners. */
  fault(kind: string, bundle: string, service: string, message: string): void {
    this.log(message);
    const f: PMFault = { timeNs: this.scheduler.now(), kind, bundle, service, message };
    for (const l of this.#faultListeners) l(f);
  }

  /** Observes driver faults; returns the unsubscribe function. */
  onFault(listener: (f: PMFault) => void): () => void {
    this.#faultListeners.add(listener);
    return () => this.#faultListeners.delete(listener);
  }

  /** Observes system power transitions; returns the unsubscribe function. */
  onSystemPower(listener: (e: SystemPowerEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(e: SystemPowerEvent): void {
    for (const l of [...this.#listeners]) {
      try {
        l(e);
      } catch (err) {
        this.log(`PM: system power listener threw: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** Halts the machine with a panic log (the simulated panic). */
  panic(panicLog: string): void {
    if (this.panicLog !== undefined) return;
    this.panicLog = panicLog;
    this.queue.halt();
    this.log(panicLog.split("\n")[0]!);
  }
}

const contexts = new WeakMap<RegistryHost, PMContext>();

/** The PM context of a registry's kernel, created on first use. */
export function pmContextFor(registry: RegistryHost, scheduler: Scheduler, log: (line: string) => void): PMContext {
  let c = contexts.get(registry);
  if (!c) {
    c = new PMContext(scheduler, log);
    contexts.set(registry, c);
  }
  return c;
}

/** The PM context of a registry, if power management ever ran there. */
export function existingPMContext(registry: RegistryHost): PMContext | undefined {
  return contexts.get(registry);
}
