/**
 * A nub's interrupt lines, as IOService's interrupt API exposes them to drivers
 * (`getInterruptType`, `registerInterrupt`, `enableInterrupt`, `disableInterrupt`,
 * `causeInterrupt`). A family (or a device model, or a test) declares the lines with their types —
 * the legacy pin first, MSI vectors appended after it, as IOPCIFamily does — and raises them with
 * `causeInterrupt`, which runs the registered handler in "primary interrupt context", i.e. at once.
 *
 * A line raised while disabled is remembered and delivered once when it is enabled again, the way an
 * interrupt controller's soft-disable keeps a pending bit; a line nobody registered drops the
 * interrupt.
 */
import { IOReturnError, kIOReturnNoInterrupt, kIOReturnPortExists } from "../../base/index.ts";

interface Line {
  readonly type: number;
  handler: (() => void) | undefined;
  enabled: boolean;
  pending: boolean;
}

/** The interrupt lines of one nub. */
export class IOInterruptLines {
  readonly #lines: Line[] = [];

  /** Appends a line of `type` (kIOInterruptType*); returns its index. */
  add(type: number): number {
    this.#lines.push({ type, handler: undefined, enabled: false, pending: false });
    return this.#lines.length - 1;
  }

  get count(): number {
    return this.#lines.length;
  }

  type(index: number): number | undefined {
    return this.#lines[index]?.type;
  }

  /** @throws {IOReturnError} kIOReturnNoInterrupt for no such line, kIOReturnPortExists when taken. */
  register(index: number, handler: () => void): void {
    const l = this.#line(index);
    if (l.handler) throw new IOReturnError(kIOReturnPortExists, `Cannot register interrupt ${index}: already registered`);
    l.handler = handler;
  }

  unregister(index: number): void {
    const l = this.#line(index);
    l.handler = undefined;
    l.enabled = false;
    l.pending = false;
  }

  enable(index: number): void {
    const l = this.#line(index);
    l.enabled = true;
    if (l.pending) {
      l.pending = false;
      l.handler?.();
    }
  }

  disable(index: number): void {
    this.#line(index).enabled = false;
  }

  /** Raises line `index` (`causeInterrupt`). */
  cause(index: number): void {
    const l = this.#line(index);
    if (!l.handler) return;
    if (l.enabled) l.handler();
    else l.pending = true;
  }

  #line(index: number): Line {
    const l = this.#lines[index];
    if (!l) throw new IOReturnError(kIOReturnNoInterrupt, `Cannot find interrupt ${index}`);
    return l;
  }
}
