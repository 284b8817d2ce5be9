/**
 * IOInterruptEventSource: delivers a device interrupt to a driver on its work loop.
 *
 * Two halves. The primary half, `interruptOccurred()`, runs in "primary interrupt context" — here,
 * directly in whatever task raised the interrupt (a device model, a test). It only counts
 * (`producerCount++`) and signals the work loop. The secondary half, `checkForWork()`, runs later on
 * the work-loop thread with the gate held and calls `action(owner, sender, count)` with the number of
 * interrupts since the last delivery (`producer − consumer`, 32-bit, which can be negative after a
 * wrap), then catches the consumer up. Interrupts that arrive while the source is disabled are still
 * counted, and delivered together once it is enabled again.
 *
 * Level-triggered interrupts (`getInterruptType(index) === kIOInterruptTypeLevel`) auto-disable: the
 * primary half masks the line at the provider and the work loop unmasks it after the action ran, so
 * a level interrupt cannot storm the loop. Edge interrupts are plain counting.
 *
 * The provider's interrupt index is stored complemented (`~index`) while the source is not
 * registered with its provider; it registers when added to a work loop and unregisters on removal.
 */
import { OSMetaClass } from "../object/index.ts";
import { IOEventSource, type WorkLoopHost } from "./IOEventSource.ts";

/** `kIOInterruptTypeEdge`. */
export const kIOInterruptTypeEdge = 0;
/** `kIOInterruptTypeLevel`. */
export const kIOInterruptTypeLevel = 1;
/** `kIOInterruptTypePCIMessaged`: an MSI vector. */
export const kIOInterruptTypePCIMessaged = 0x10000;
/** `kIOInterruptTypePCIMessagedX`: an MSI-X vector (set together with PCIMessaged). */
export const kIOInterruptTypePCIMessagedX = 0x20000;

/** What a nub offers for interrupts (IOService's interrupt API). */
export interface InterruptProvider {
  /** The type bits of interrupt `index`, or undefined when there is no such interrupt. */
  getInterruptType(index: number): number | undefined;
  registerInterrupt(index: number, handler: () => void): void;
  unregisterInterrupt(index: number): void;
  enableInterrupt(index: number): void;
  disableInterrupt(index: number): void;
}

/** The secondary handler: `action(owner, sender, count)`. */
export type InterruptAction = (owner: object | null, sender: IOInterruptEventSource, count: number) => void;

/**
 * The first MSI (or, with `msix`, MSI-X) interrupt index of a provider: MSI vectors are appended
 * after the legacy pin, so drivers scan indexes until a messaged type shows up.
 */
export function findMessagedInterruptIndex(provider: InterruptProvider, msix = false): number | undefined {
  for (let i = 0; ; i++) {
    const type = provider.getInterruptType(i);
    if (type === undefined) return undefined;
    if ((type & kIOInterruptTypePCIMessaged) !== 0 && (!msix || (type & kIOInterruptTypePCIMessagedX) !== 0)) return i;
  }
}

/** An interrupt delivered on a work loop. */
export class IOInterruptEventSource extends IOEventSource {
  #action: InterruptAction | null = null;
  #provider: InterruptProvider | null = null;
  /** `~index` while unregistered, `index` while registered. */
  #intIndex = ~0;
  #autoDisable = false;
  #producer = 0;
  #consumer = 0;

  /**
   * `IOInterruptEventSource::interruptEventSource`: a source for interrupt `index` of `provider`
   * (null provider: a software-only source). Returns null for a negative index.
   */
  static interruptEventSource(owner: object | null, action: InterruptAction, provider: InterruptProvider | null = null, index = 0): IOInterruptEventSource | null {
    const es = new this();
    if (!es.init(owner, action, provider, index)) {
      es.release();
      return null;
    }
    return es;
  }

  /** Sets the source up; false for a negative index. */
  init(owner: object | null, action: InterruptAction, provider: InterruptProvider | null, index: number): boolean {
    if (index < 0) return false;
    this.owner = owner;
    this.#action = action;
    this.#provider = provider;
    this.#intIndex = ~index;
    if (provider) this.#autoDisable = provider.getInterruptType(index) === kIOInterruptTypeLevel;
    return true;
  }

  /** The provider's interrupt index. */
  getIntIndex(): number {
    return this.#intIndex < 0 ? ~this.#intIndex : this.#intIndex;
  }

  /** Whether the source is registered with its provider (added to a work loop). */
  get isRegistered(): boolean {
    return this.#intIndex >= 0 && this.#provider !== null;
  }

  getProvider(): InterruptProvider | null {
    return this.#provider;
  }

  /** Whether this is a level interrupt that masks itself until handled. */
  get autoDisable(): boolean {
    return this.#autoDisable;
  }

  /** Interrupts counted so far (the 32-bit producer counter). */
  get producerCount(): number {
    return this.#producer;
  }

  override setWorkLoop(loop: WorkLoopHost | null): void {
    const p = this.#provider;
    if (p && loop && this.#intIndex < 0) {
      this.#intIndex = ~this.#intIndex;
      p.registerInterrupt(this.#intIndex, () => this.interruptOccurred());
      if (this.isEnabled()) p.enableInterrupt(this.#intIndex);
    } else if (p && !loop && this.#intIndex >= 0) {
      p.disableInterrupt(this.#intIndex);
      p.unregisterInterrupt(this.#intIndex);
      this.#intIndex = ~this.#intIndex;
    }
    super.setWorkLoop(loop);
  }

  override enable(): void {
    if (this.#provider && this.#intIndex >= 0) this.#provider.enableInterrupt(this.#intIndex);
    super.enable();
  }

  override disable(): void {
    if (this.#provider && this.#intIndex >= 0) this.#provider.disableInterrupt(this.#intIndex);
    super.disable();
  }

  /** The primary handler: count the interrupt and signal the work loop (mask it first if level). */
  interruptOccurred(): void {
    if (this.#autoDisable && this.#provider && this.#intIndex >= 0) this.#provider.disableInterrupt(this.#intIndex);
    this.#producer = (this.#producer + 1) >>> 0;
    this.signalWorkAvailable();
  }

  override checkForWork(): boolean {
    const count = (this.#producer - this.#consumer) | 0;
    if (count === 0 || !this.isEnabled()) return false;
    this.#consumer = this.#producer;
    this.#action?.(this.owner, this, count);
    if (this.#autoDisable && this.isEnabled() && this.#provider && this.#intIndex >= 0) this.#provider.enableInterrupt(this.#intIndex);
    return false;
  }
}
OSMetaClass.define(IOInterruptEventSource, "IOInterruptEventSource");
