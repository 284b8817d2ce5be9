/**
 * OSObject: the root of every kernel object, with libkern's explicit reference count.
 *
 * Why explicit counts in a garbage-collected language: the counts are observable behaviour. `ioreg`
 * prints `retain N`, `ioclasscount` prints live instances, kext unload is refused while a kext's
 * classes have instances, and a leak shows up as a count that does not come back to baseline. So an
 * object is "alive" in the kernel's sense from construction until its count drops from 1 to 0, and
 * JavaScript's GC merely reclaims the memory later.
 *
 * The 32-bit count (iokit-spec §3.1): the low 16 bits are the total, the high 16 bits the part held by
 * collections (registry links, arrays, sets). A new object starts at 1. `release()` frees at 1→0:
 * `free()` runs, the class's instance count drops, and the count becomes the 0xFFFF sentinel after
 * which retain and release are ignored. At 0xFFFE the count pegs: further retains and releases are
 * ignored and the object leaks rather than being freed early. Releasing below the collection part is
 * Apple's panic `A kext releasing a(n) <Class> has corrupted the registry.`, a {@link BugError} here.
 */
import { BugError } from "../../base/index.ts";
import { OSMetaClass } from "./OSMetaClass.ts";

const FREED = 0xffff;
const PEGGED = 0xfffe;

/** The base of every kernel object: explicit retain/release and run-time type information. */
export class OSObject implements Disposable {
  #count = 1;
  readonly #meta: OSMetaClass | null;

  constructor() {
    this.#meta = OSMetaClass.of(this);
    this.#meta?.instanceConstructed();
  }

  /** The object's metaclass (its most-derived defined class). */
  getMetaClass(): OSMetaClass {
    const m = this.#meta;
    if (!m) throw new BugError(`${this.constructor.name} has no OSMetaClass: define it with OSMetaClass.define()`);
    return m;
  }

  /** The most-derived class name (`getMetaClass()->getClassName()`). */
  getClassName(): string {
    return this.#meta?.className ?? this.constructor.name;
  }

  /** Whether the object is of the named class or a subclass of it (`metaCast`). */
  metaCast(className: string | OSMetaClass): boolean {
    return this.#meta?.isSubclassOf(className) ?? false;
  }

  /** The low 16 bits of the count: what `ioreg` prints as `retain`. */
  getRetainCount(): number {
    return this.#count & 0xffff;
  }

  /** Whether the count has reached 1→0 and the object was freed. */
  get isFreed(): boolean {
    return (this.#count & 0xffff) === FREED;
  }

  /** Adds one reference. */
  retain(): this {
    this.#taggedRetain(false);
    return this;
  }

  /** Drops one reference; frees the object when the count goes from 1 to 0. */
  release(): void {
    this.#taggedRelease(false);
  }

  /** Adds a reference held by a collection (counted in both halves). */
  retainForCollection(): this {
    this.#taggedRetain(true);
    return this;
  }

  /** Drops a reference held by a collection. */
  releaseFromCollection(): void {
    this.#taggedRelease(true);
  }

  /** The part of the count held by collections (high 16 bits). */
  getCollectionRetainCount(): number {
    return this.#count >>> 16;
  }

  /**
   * Sets the visible count to a recorded value (registry snapshots of other machines).
   * @internal
   */
  restoreRetainCount(count: number): void {
    const total = count & 0xffff;
    this.#count = Math.min(this.#count >>> 16, total) * 0x10000 + total;
  }

  /** `using obj = …` releases the reference at the end of the scope. */
  [Symbol.dispose](): void {
    this.release();
  }

  /** Called once at 1→0, before the instance count drops; subclasses release what they hold. */
  protected free(): void {}

  #taggedRetain(collection: boolean): void {
    const total = this.#count & 0xffff;
    if (total === FREED || total === PEGGED) return;
    this.#count = ((this.#count >>> 16) + (collection ? 1 : 0)) * 0x10000 + total + 1;
  }

  #taggedRelease(collection: boolean): void {
    const total = this.#count & 0xffff;
    if (total === FREED || total === PEGGED) return;
    let coll = this.#count >>> 16;
    if (collection) {
      if (coll === 0) throw new BugError(`A kext releasing a(n) ${this.getClassName()} has corrupted the registry.`);
      coll--;
    } else if (total - 1 < coll) {
      throw new BugError(`A kext releasing a(n) ${this.getClassName()} has corrupted the registry.`);
    }
    if (total === 1) {
      this.#count = FREED;
      try {
        this.free();
      } finally {
        this.#meta?.instanceDestructed();
      }
      return;
    }
    this.#count = coll * 0x10000 + total - 1;
  }
}
OSMetaClass.define(OSObject, "OSObject");

/** `OSDynamicCast(Class, obj)`: `obj` when it conforms to `Class`, else null. */
export function OSDynamicCast<T extends OSObject>(cls: abstract new (...args: never[]) => T, obj: unknown): T | null {
  if (!(obj instanceof OSObject)) return null;
  const meta = OSMetaClass.nearest(cls);
  if (meta ? obj.metaCast(meta) : obj instanceof cls) return obj as T;
  return null;
}

/** Runs `fn(obj)` and releases `obj` afterwards, even on throw (for callers without `using`). */
export function withReleased<T extends OSObject, R>(obj: T, fn: (obj: T) => R): R {
  try {
    return fn(obj);
  } finally {
    obj.release();
  }
}
