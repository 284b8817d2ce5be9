/**
 * Matching and interest notifications: who is told what, and in which order.
 *
 * Matching notifiers are kept per type, sorted by priority descending and FIFO among equals
 * (a new notifier goes after those with the same priority). Delivery copies the list first, so a
 * handler may add or remove notifiers while being called; a removed or disabled notifier is skipped
 * even if it was in the copy. Interest handlers (general and busy) are kept per service in
 * registration order.
 */
import type { OSDictionary } from "../../libkern/index.ts";
import type { IONotifierHandle, IOService, InterestHandler } from "./IOService.ts";
import type { IOInterestType, IONotificationType } from "./serviceConstants.ts";

/** A matching-notification handler; it receives the service and its notifier. */
export type MatchingNotificationHandler = (service: IOService, notifier: IONotifier) => void;

/** A matching notification (`IONotifier` from `addMatchingNotification`). */
export class IONotifier implements IONotifierHandle {
  readonly type: IONotificationType;
  readonly matching: OSDictionary;
  readonly priority: number;
  readonly handler: MatchingNotificationHandler;
  #enabled = true;
  #removed = false;
  readonly #onRemove: (n: IONotifier) => void;

  constructor(type: IONotificationType, matching: OSDictionary, handler: MatchingNotificationHandler, priority: number, onRemove: (n: IONotifier) => void) {
    this.type = type;
    this.matching = matching;
    this.handler = handler;
    this.priority = priority;
    this.#onRemove = onRemove;
  }

  get active(): boolean {
    return this.#enabled && !this.#removed;
  }

  remove(): void {
    if (this.#removed) return;
    this.#removed = true;
    this.#onRemove(this);
  }

  disable(): void {
    this.#enabled = false;
  }

  enable(): void {
    this.#enabled = true;
  }

  [Symbol.dispose](): void {
    this.remove();
  }
}

interface InterestEntry {
  readonly type: IOInterestType;
  readonly handler: InterestHandler;
  enabled: boolean;
}

/** Every notifier of one kernel. */
export class NotificationCenter {
  readonly #byType = new Map<IONotificationType, IONotifier[]>();
  readonly #interest = new WeakMap<IOService, InterestEntry[]>();

  /** Adds a matching notifier in priority order (descending, FIFO among equals). */
  add(type: IONotificationType, matching: OSDictionary, handler: MatchingNotificationHandler, priority = 0): IONotifier {
    const list = this.#byType.get(type) ?? [];
    const n = new IONotifier(type, matching, handler, priority, (x) => {
      const l = this.#byType.get(type);
      const i = l?.indexOf(x) ?? -1;
      if (l && i >= 0) l.splice(i, 1);
    });
    let at = list.length;
    while (at > 0 && (list[at - 1] as IONotifier).priority < priority) at--;
    list.splice(at, 0, n);
    this.#byType.set(type, list);
    return n;
  }

  /** The active notifiers of `type` whose table `matches`, in delivery order (a copy). */
  collect(type: IONotificationType, matches: (table: OSDictionary) => boolean): IONotifier[] {
    return (this.#byType.get(type) ?? []).filter((n) => n.active && matches(n.matching));
  }

  /** Number of notifiers of a type (for tests and leak checks). */
  count(type: IONotificationType): number {
    return this.#byType.get(type)?.length ?? 0;
  }

  /** Registers an interest handler on `service`. */
  addInterest(service: IOService, type: IOInterestType, handler: InterestHandler): IONotifierHandle {
    const list = this.#interest.get(service) ?? [];
    const entry: InterestEntry = { type, handler, enabled: true };
    list.push(entry);
    this.#interest.set(service, list);
    return {
      remove: () => {
        const l = this.#interest.get(service);
        const i = l?.indexOf(entry) ?? -1;
        if (l && i >= 0) l.splice(i, 1);
      },
      disable: () => void (entry.enabled = false),
      enable: () => void (entry.enabled = true),
    };
  }

  /** The enabled interest handlers of `type` on `service`, in registration order (a copy). */
  interested(service: IOService, type: IOInterestType): InterestHandler[] {
    return (this.#interest.get(service) ?? []).filter((e) => e.enabled && e.type === type).map((e) => e.handler);
  }
}
