/**
 * OSMetaClass: the kernel's run-time type information and live-instance accounting.
 *
 * Every kernel class (and every driver class a kext brings) is defined once with
 * {@link OSMetaClass.define}, which records its name, its superclass (found through the JavaScript
 * prototype chain: the nearest defined ancestor), its constructor and the kext that owns it. This is
 * what lets matching allocate a personality's `IOClass` by name, lets `metaCast` test conformance by
 * class name, and lets `ioclasscount` report instance counts.
 *
 * Instance counts follow Apple's rule (iokit-spec §3.2): construction bumps only the most-derived
 * class; a superclass gains +1 only when a subclass's count goes 0→1 and loses it on 1→0. A class's
 * count is therefore (its live direct instances) + (its direct subclasses with a non-zero count).
 * A count going below zero is logged, never thrown, as `OSMetaClass: Class <name> - bad retain (<n>)`.
 *
 * Class tables. The kernel's own classes (and the families compiled into the kernel image) live in
 * one process-global table: that code is loaded once per process. A kext's classes are defined in
 * a *domain* — the class table of one kernel (its registry object stands for it) — so that several
 * kernels in one process each link their own instance of a kext's code, under the same class
 * names, as separate machines would. A lookup with a domain sees the global table, then the
 * domain's. Counts of global classes are process-wide; tests compare against a baseline.
 */
import { IOReturnError, kIOReturnBusy, kIOReturnBadArgument } from "../../base/index.ts";
import { num, type OSValue } from "../../libkern/index.ts";

/** A constructor the metaclass registry can hold (abstract classes included). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OSClassConstructor = abstract new (...args: any[]) => object;

/** Where bad-retain messages go; the kernel points it at its IOLog ring. */
let logSink: (line: string) => void = () => {};

/** Per-class metadata: name, superclass, constructor, owning kext, live-instance count. */
export class OSMetaClass {
  readonly className: string;
  readonly superClass: OSMetaClass | null;
  readonly ctor: OSClassConstructor;
  /** The bundle identifier of the kext that defined the class (`getKmodName`); "" for the kernel. */
  readonly kmodName: string;
  #instances = 0;
  #directSubclasses = new Set<OSMetaClass>();

  static readonly #byName = new Map<string, OSMetaClass>();
  static readonly #byCtor = new WeakMap<object, OSMetaClass>();
  /** Kext classes per kernel (domain object → name → metaclass). */
  static readonly #domains = new WeakMap<object, Map<string, OSMetaClass>>();
  /** The domain unqualified lookups also see while a kext links ({@link OSMetaClass.withDomain}). */
  static #current: object | undefined;
  /** Domain tables holding this metaclass (a module shared by kernels defines one constructor in several). */
  #homes = 0;

  private constructor(className: string, superClass: OSMetaClass | null, ctor: OSClassConstructor, kmodName: string) {
    this.className = className;
    this.superClass = superClass;
    this.ctor = ctor;
    this.kmodName = kmodName;
  }

  /**
   * Defines `ctor` as the class `className` (`OSDefineMetaClassAndStructors`), in the global table
   * or, with `domain`, in that kernel's table. Defining the same constructor again under the same
   * name returns the existing metaclass.
   * @throws {IOReturnError} kIOReturnBadArgument when the name is already used by another constructor.
   */
  static define(ctor: OSClassConstructor, className: string, options: { kmodName?: string; domain?: object } = {}): OSMetaClass {
    const existing = OSMetaClass.#byName.get(className);
    if (existing) {
      if (existing.ctor === ctor) return existing;
      throw new IOReturnError(kIOReturnBadArgument, `OSMetaClass: Class "${className}" is duplicate`);
    }
    const domain = options.domain;
    let table = OSMetaClass.#byName;
    if (domain !== undefined) {
      table = OSMetaClass.#domains.get(domain) ?? new Map<string, OSMetaClass>();
      OSMetaClass.#domains.set(domain, table);
      const mine = table.get(className);
      if (mine) {
        if (mine.ctor === ctor) return mine;
        throw new IOReturnError(kIOReturnBadArgument, `OSMetaClass: Class "${className}" is duplicate`);
      }
      // The same constructor in another kernel: code shared between kernels shares its metaclass.
      const shared = OSMetaClass.#byCtor.get(ctor);
      if (shared?.ctor === ctor && shared.className === className) {
        table.set(className, shared);
        shared.#homes++;
        return shared;
      }
    }
    const meta = new OSMetaClass(className, OSMetaClass.nearest(Object.getPrototypeOf(ctor) as object), ctor, options.kmodName ?? "");
    table.set(className, meta);
    meta.#homes = 1;
    OSMetaClass.#byCtor.set(ctor, meta);
    if (meta.superClass) meta.superClass.#directSubclasses.add(meta);
    return meta;
  }

  /**
   * Removes every class a kext defined (kext unload), from the global table or from `domain`'s.
   * @throws {IOReturnError} kIOReturnBusy when one of them still has instances ("Can't unload kext: classes have instances").
   */
  static removeClasses(kmodName: string, domain?: object): string[] {
    const table = domain === undefined ? OSMetaClass.#byName : OSMetaClass.#domains.get(domain);
    if (table === undefined) return [];
    const mine = [...table.values()].filter((m) => m.kmodName === kmodName && kmodName !== "");
    const busy = mine.filter((m) => m.#instances > 0);
    if (busy.length > 0) {
      throw new IOReturnError(kIOReturnBusy, `Can't remove kext ${kmodName}; classes have instances: ${busy.map((m) => m.className).join(", ")}`);
    }
    for (const m of mine) {
      table.delete(m.className);
      if (--m.#homes === 0 && m.superClass) m.superClass.#directSubclasses.delete(m);
    }
    return mine.map((m) => m.className);
  }

  /** Runs `fn` with `domain` visible to unqualified lookups (a kext's link step looks up its kernel's classes). */
  static withDomain<T>(domain: object, fn: () => T): T {
    const saved = OSMetaClass.#current;
    OSMetaClass.#current = domain;
    try {
      return fn();
    } finally {
      OSMetaClass.#current = saved;
    }
  }

  /**
   * The metaclass named `name` (`OSMetaClass::getMetaClassWithName`): global classes, then those of
   * `domain` (default: the kernel whose kext is linking, if any).
   */
  static getMetaClassWithName(name: string, domain: object | undefined = OSMetaClass.#current): OSMetaClass | undefined {
    return OSMetaClass.#byName.get(name) ?? (domain === undefined ? undefined : OSMetaClass.#domains.get(domain)?.get(name));
  }

  /** The metaclass of a constructor, or of its nearest defined ancestor. */
  static nearest(ctor: object | null): OSMetaClass | null {
    for (let c = ctor; c !== null && c !== Function.prototype; c = Object.getPrototypeOf(c) as object | null) {
      const m = OSMetaClass.#byCtor.get(c);
      if (m) return m;
    }
    return null;
  }

  /** The metaclass of an object (its most-derived defined class). */
  static of(obj: object): OSMetaClass | null {
    return OSMetaClass.nearest(obj.constructor);
  }

  /** Every defined class: the global ones, then `domain`'s. */
  static all(domain?: object): OSMetaClass[] {
    const own = domain === undefined ? undefined : OSMetaClass.#domains.get(domain);
    return own === undefined ? [...OSMetaClass.#byName.values()] : [...OSMetaClass.#byName.values(), ...own.values()];
  }

  /** Builds a new instance of the named class (`OSMetaClass::allocClassWithName`); undefined if unknown or abstract-only. */
  static allocClassWithName(name: string, domain?: object): object | undefined {
    const meta = OSMetaClass.getMetaClassWithName(name, domain);
    if (!meta) return undefined;
    return new (meta.ctor as new () => object)();
  }

  /** The class dictionary of `IOKitDiagnostics`: class name → 32-bit instance count. */
  static serializeClassDictionary(domain?: object): Map<string, OSValue> {
    const out = new Map<string, OSValue>();
    for (const m of OSMetaClass.all(domain)) out.set(m.className, num(m.#instances, 32));
    return out;
  }

  /** Points bad-retain and other metaclass log lines at `sink`. */
  static setLogSink(sink: (line: string) => void): void {
    logSink = sink;
  }

  /** The live-instance count as ioclasscount prints it. */
  getInstanceCount(): number {
    return this.#instances;
  }

  /** Class names from `OSObject`'s child down to this class (`ioreg -i` ancestry). */
  ancestry(): string[] {
    const out: string[] = [];
    for (let m: OSMetaClass | null = this; m; m = m.superClass) out.unshift(m.className);
    return out;
  }

  /** Whether this class is `other` or derives from it. */
  isSubclassOf(other: OSMetaClass | string): boolean {
    for (let m: OSMetaClass | null = this; m; m = m.superClass) {
      if (typeof other === "string" ? m.className === other : m === other) return true;
    }
    return false;
  }

  /** Counts one more live instance; propagates +1 to the superclass on 0→1. */
  instanceConstructed(): void {
    if (this.#instances++ === 0) this.superClass?.instanceConstructed();
  }

  /** Counts one fewer live instance; propagates −1 to the superclass on 1→0. */
  instanceDestructed(): void {
    const n = --this.#instances;
    if (n === 0) this.superClass?.instanceDestructed();
    else if (n < 0) logSink(`OSMetaClass: Class ${this.className} - bad retain (${n})`);
  }
}
