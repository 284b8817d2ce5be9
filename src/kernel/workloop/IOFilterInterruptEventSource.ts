/**
 * IOFilterInterruptEventSource: an interrupt source whose filter runs in primary interrupt context
 * on every interrupt and decides whether the work loop should run the action at all. A filter that
 * returns true counts the interrupt and signals the loop (masking a level interrupt until the action
 * ran); false queues nothing. Drivers use it to check a shared line's status register cheaply.
 */
import { OSMetaClass } from "../object/index.ts";
import { IOInterruptEventSource, type InterruptAction, type InterruptProvider } from "./IOInterruptEventSource.ts";

/** The primary-context filter: `filter(owner, sender)`; true means "mine, run the action". */
export type InterruptFilter = (owner: object | null, sender: IOFilterInterruptEventSource) => boolean;

/** An interrupt source with a primary-context filter. */
export class IOFilterInterruptEventSource extends IOInterruptEventSource {
  #filter: InterruptFilter | null = null;
  #filtered = 0;

  /** `IOFilterInterruptEventSource::filterInterruptEventSource`; null for a negative index. */
  static filterInterruptEventSource(owner: object | null, action: InterruptAction, filter: InterruptFilter, provider: InterruptProvider | null = null, index = 0): IOFilterInterruptEventSource | null {
    const es = new IOFilterInterruptEventSource();
    if (!es.init(owner, action, provider, index)) {
      es.release();
      return null;
    }
    es.#filter = filter;
    return es;
  }

  /** How many interrupts the filter has seen (accepted or not). */
  get filterCount(): number {
    return this.#filtered;
  }

  /** Counts and signals, as if the filter had accepted (`signalInterrupt`). */
  signalInterrupt(): void {
    super.interruptOccurred();
  }

  /** Primary context: run the filter; signal only when it accepts. */
  override interruptOccurred(): void {
    this.#filtered++;
    if (this.#filter?.(this.owner, this) ?? false) this.signalInterrupt();
  }
}
OSMetaClass.define(IOFilterInterruptEventSource, "IOFilterInterruptEventSource");
