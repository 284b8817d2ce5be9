/**
 * A stack of clean-up actions released in reverse order, like Linux devres: whatever a service
 * acquires in `start()` is pushed here and released on stop, terminate or a failed start.
 * Node 20 has `Symbol.dispose` but no `DisposableStack`, hence this class.
 */
export class ResourceStack {
  #actions: Array<() => void> = [];
  #disposed = false;

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Registers a clean-up action; runs it at once if the stack is already disposed. */
  defer(action: () => void): void {
    if (this.#disposed) action();
    else this.#actions.push(action);
  }

  /** Registers a disposable and returns it. */
  use<T extends { [Symbol.dispose](): void }>(resource: T): T {
    this.defer(() => resource[Symbol.dispose]());
    return resource;
  }

  /** Releases everything in reverse order; errors are collected and the first is rethrown. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const errors: unknown[] = [];
    for (let a = this.#actions.pop(); a; a = this.#actions.pop()) {
      try {
        a();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0) throw errors[0];
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
