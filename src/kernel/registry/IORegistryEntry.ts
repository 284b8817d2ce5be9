/**
 * An I/O Registry entry: identity, class, typed properties, names and locations per plane, links to
 * parents and children per plane, a retain count, and (for IOServices) the state bits and busy
 * count that tools show.
 *
 * Mechanism. Each entry keeps, per plane, an array of parents and an array of children; a link is
 * always recorded on both sides at once, so `isParent` and `isChild` agree. Children are kept in
 * attach order (an append), and attaching an existing link again changes nothing, as in XNU. Every
 * link change bumps the registry's generation so iterators can tell they are stale (see
 * IORegistryIterator). A link retains both ends, like XNU's OSArray-backed link tables; the
 * retain count shown is the low 16 bits of the object's count.
 *
 * Names and locations are not properties (XNU keeps them in a separate registry table): the
 * plane-specific value wins, then the generic `IOName`/`IOLocation`, then (for names) the class
 * name. The class is a {@link RegistryClass}, an interface that the runtime's OSMetaClass
 * implements; plain entries get a simple class from the registry.
 *
 * An entry is an OSObject: its retain count is libkern's (links are collection retains), and the
 * OSMetaClass of its most-derived defined class counts it for ioclasscount. An entry built with an
 * explicit `className` that is not its constructor's class (a snapshot of another machine) keeps
 * that name for display but is counted under its constructor's class.
 *
 * Busy counts propagate up the provider chain: when an entry goes from idle to busy its provider
 * becomes one busier, and when it goes idle again its provider becomes one less busy, recursively.
 * Time spent busy accumulates in nanoseconds on the registry's clock.
 *
 * Not thread-safe and needs not be: the kernel runs on one deterministic scheduler.
 */
import { IOReturnError, kIOReturnBadArgument, kIOReturnOverrun, kIOReturnUnderrun } from "../../base/index.ts";
import type { OSValue } from "../../libkern/index.ts";
import { OSMetaClass, OSObject } from "../object/index.ts";
import type { IORegistryPlane } from "./IORegistryPlane.ts";
import { kIOServiceBusyMax } from "./serviceState.ts";

/** A class as the registry needs it: its name and superclass. OSMetaClass implements this. */
export interface RegistryClass {
  readonly className: string;
  readonly superClass: RegistryClass | null;
}

/**
 * What an entry needs from its registry. `IORegistry` implements it; kept here so that entries and
 * the registry do not import each other.
 */
export interface RegistryHost {
  /** Allocates the next entry ID, or records `requested` (snapshot loading) and returns it. */
  allocateEntryID(requested?: bigint): bigint;
  /** Resolves a plane given by name or object. */
  plane(plane: IORegistryPlane | string): IORegistryPlane;
  /** Called after every link change. */
  topologyChanged(entry: IORegistryEntry, linked: boolean): void;
  /** Called after a busy transition of `entry`. */
  busyChanged(entry: IORegistryEntry): void;
  /** Current time in nanoseconds. */
  now(): bigint;
  /** A simple class by name. */
  classNamed(name: string): RegistryClass;
  /** The entry's path in `plane`. */
  getPath(entry: IORegistryEntry, plane: IORegistryPlane | string): string | undefined;
}

/** Options for a new entry. */
export interface IORegistryEntryOptions {
  /** The class; defaults to a simple class named `className`. */
  readonly metaClass?: RegistryClass;
  /** The class name when no metaClass is given; default `IORegistryEntry`. */
  readonly className?: string;
  /** Whether the entry is an IOService; defaults to class conformance to `IOService`. */
  readonly isService?: boolean;
  /** The generic name (`IOName`). */
  readonly name?: string;
  /** The generic location. */
  readonly location?: string;
  /** A specific entry ID (snapshot loading only). */
  readonly entryID?: bigint;
}

const NO_ENTRIES: readonly IORegistryEntry[] = Object.freeze([]);

/** Removes `a[i]` keeping order, without allocating (unlike `splice`). */
function removeAt(a: IORegistryEntry[], i: number): void {
  if (i < 0) return;
  for (let j = i + 1; j < a.length; j++) a[j - 1] = a[j] as IORegistryEntry;
  a.length--;
}

export class IORegistryEntry extends OSObject {
  /** The registry this entry belongs to. */
  readonly registry: RegistryHost;
  /** `IORegistryEntryID`: unique, allocated at construction, in allocation order. */
  readonly entryID: bigint;
  /** The entry ID as a Map key: a number when exact, else the bigint (hashing numbers is cheaper). */
  readonly idKey: number | bigint;
  /** @internal Whether the registry's ID index holds this entry (maintained by the registry). */
  indexed = false;
  /** Whether the entry is an IOService (has state bits and a busy count). */
  readonly isService: boolean;
  readonly #metaClass: RegistryClass;
  readonly #properties = new Map<string, OSValue>();
  #name: string | undefined;
  #location: string | undefined;
  /** Plane-specific names and locations, indexed by plane index (sparse). */
  #planeNames: (string | undefined)[] | undefined;
  #planeLocations: (string | undefined)[] | undefined;
  /** Parents and children, indexed by plane index. */
  readonly #parents: (IORegistryEntry[] | undefined)[] = [];
  readonly #children: (IORegistryEntry[] | undefined)[] = [];
  /** Per plane: children by name, built on demand for wide entries, dropped on any change. */
  #childIndex: (Map<string, IORegistryEntry[]> | undefined)[] | undefined;
  #links = 0;
  #state = 0;
  #busy = 0;
  #busyTimeNs = 0n;
  #busySince = 0n;

  constructor(registry: RegistryHost, options: IORegistryEntryOptions = {}) {
    super();
    this.registry = registry;
    const own = OSMetaClass.of(this);
    this.#metaClass = options.metaClass
      ?? (own !== null && (options.className === undefined || options.className === own.className) ? own : registry.classNamed(options.className ?? "IORegistryEntry"));
    this.entryID = registry.allocateEntryID(options.entryID);
    this.idKey = this.entryID <= 0x1fffffffffffffn ? Number(this.entryID) : this.entryID;
    this.isService = options.isService ?? this.conformsTo("IOService");
    this.#name = options.name;
    this.#location = options.location;
  }

  // ---- class ----

  /** The entry's class. */
  get metaClass(): RegistryClass {
    return this.#metaClass;
  }

  /** The class name (`IOObjectClass`). */
  get className(): string {
    return this.#metaClass.className;
  }

  /** True when the entry's class is `className` or derives from it. */
  conformsTo(className: string): boolean {
    for (let c: RegistryClass | null = this.#metaClass; c !== null; c = c.superClass) {
      if (c.className === className) return true;
    }
    return false;
  }

  /** The class chain from the class up to the root class (`OSObject` excluded). */
  inheritance(): string[] {
    const out: string[] = [];
    for (let c: RegistryClass | null = this.#metaClass; c !== null; c = c.superClass) {
      if (c.className !== "OSObject") out.push(c.className);
    }
    return out;
  }

  // ---- properties ----

  /** The property `key`, or undefined. */
  getProperty(key: string): OSValue | undefined {
    return this.#properties.get(key);
  }

  /** Sets a property; a new key goes last, an existing key keeps its place. */
  setProperty(key: string, value: OSValue): void {
    this.#properties.set(key, value);
  }

  /** Removes a property; true when it existed. */
  removeProperty(key: string): boolean {
    return this.#properties.delete(key);
  }

  hasProperty(key: string): boolean {
    return this.#properties.has(key);
  }

  /** A live read-only view of the properties, in insertion order. */
  get properties(): ReadonlyMap<string, OSValue> {
    return this.#properties;
  }

  /** Number of properties. */
  get propertyCount(): number {
    return this.#properties.size;
  }

  /** Sets or replaces every property at once, keeping the given order. */
  setProperties(props: Iterable<readonly [string, OSValue]>): void {
    for (const [k, v] of props) this.#properties.set(k, v);
  }

  // ---- names and locations ----

  /** `getName(plane)`: the plane-specific name, else `IOName`, else the class name. */
  getName(plane?: IORegistryPlane | string): string {
    if (plane !== undefined && this.#planeNames !== undefined) {
      const n = this.#planeNames[typeof plane === "string" ? this.registry.plane(plane).index : plane.index];
      if (n !== undefined) return n;
    }
    return this.#name ?? this.#metaClass.className;
  }

  /** Sets the name in `plane`, or the generic `IOName` when no plane is given. */
  setName(name: string, plane?: IORegistryPlane | string): void {
    if (plane === undefined) this.#name = name;
    else (this.#planeNames ??= [])[this.registry.plane(plane).index] = name;
    for (const parents of this.#parents) for (const p of parents ?? NO_ENTRIES) p.#childIndex = undefined;
  }

  /** `getLocation(plane)`: the plane-specific location, else the generic one, else undefined. */
  getLocation(plane?: IORegistryPlane | string): string | undefined {
    if (plane !== undefined && this.#planeLocations !== undefined) {
      const l = this.#planeLocations[typeof plane === "string" ? this.registry.plane(plane).index : plane.index];
      if (l !== undefined) return l;
    }
    return this.#location;
  }

  /** Sets the location in `plane`, or the generic one when no plane is given. */
  setLocation(location: string, plane?: IORegistryPlane | string): void {
    if (plane === undefined) this.#location = location;
    else (this.#planeLocations ??= [])[this.registry.plane(plane).index] = location;
  }

  /** Names and locations set for specific planes, by plane index (for serializers). */
  planeNamesAndLocations(): { names: Map<number, string>; locations: Map<number, string>; name?: string; location?: string } {
    const pairs = (a: (string | undefined)[] | undefined): Map<number, string> =>
      new Map((a ?? []).flatMap((v, i) => (v === undefined ? [] : [[i, v] as [number, string]])));
    return {
      names: pairs(this.#planeNames),
      locations: pairs(this.#planeLocations),
      ...(this.#name !== undefined ? { name: this.#name } : {}),
      ...(this.#location !== undefined ? { location: this.#location } : {}),
    };
  }

  /** The entry's path in `plane` (`IOService:/AppleACPIPlatformExpert/PCI0@0`), or undefined when it is not in the plane. */
  getPath(plane: IORegistryPlane | string): string | undefined {
    return this.registry.getPath(this, plane);
  }

  // ---- topology ----

  /**
   * Attaches this entry as a child of `parent` in `plane`. Attaching an existing link is a no-op.
   * @returns true when a new link was made.
   * @throws {IOReturnError} kIOReturnBadArgument when attaching to itself.
   */
  attachToParent(parent: IORegistryEntry, plane: IORegistryPlane | string): boolean {
    if (parent === this) throw new IOReturnError(kIOReturnBadArgument, `Cannot attach ${this.className} to itself`);
    if (parent.registry !== this.registry) throw new IOReturnError(kIOReturnBadArgument, "Cannot attach entries of different registries");
    const i = this.registry.plane(plane).index;
    const parents = (this.#parents[i] ??= []);
    if (parents.includes(parent)) return false;
    parents.push(parent);
    (parent.#children[i] ??= []).push(this);
    if (parent.#childIndex !== undefined) parent.#childIndex[i] = undefined;
    this.retainForCollection();
    parent.retainForCollection();
    this.#links++;
    this.registry.topologyChanged(this, this.#links === 1);
    return true;
  }

  /** Attaches `child` under this entry in `plane`; see {@link attachToParent}. */
  attachToChild(child: IORegistryEntry, plane: IORegistryPlane | string): boolean {
    return child.attachToParent(this, plane);
  }

  /**
   * Removes the link to `parent` in `plane`.
   * @returns true when a link was removed.
   */
  detachFromParent(parent: IORegistryEntry, plane: IORegistryPlane | string): boolean {
    const i = this.registry.plane(plane).index;
    const parents = this.#parents[i];
    const siblings = parent.#children[i];
    if (parents === undefined || siblings === undefined) return false;
    const p = parents.lastIndexOf(parent);
    if (p < 0) return false;
    removeAt(parents, p);
    // Children are usually detached newest first, so search from the end.
    removeAt(siblings, siblings.lastIndexOf(this));
    if (parent.#childIndex !== undefined) parent.#childIndex[i] = undefined;
    this.#links--;
    this.releaseFromCollection();
    parent.releaseFromCollection();
    this.registry.topologyChanged(this, false);
    return true;
  }

  /** Removes the link to `child` in `plane`. */
  detachFromChild(child: IORegistryEntry, plane: IORegistryPlane | string): boolean {
    return child.detachFromParent(this, plane);
  }

  /** Detaches this entry from all its parents in `plane`. */
  detachAbove(plane: IORegistryPlane | string): void {
    const parents = this.#parents[this.registry.plane(plane).index];
    if (parents === undefined) return;
    for (const p of [...parents].reverse()) this.detachFromParent(p, plane);
  }

  /** Detaches this entry and, recursively, its whole subtree in `plane`. Uses an explicit stack. */
  detachAll(plane: IORegistryPlane | string): void {
    const order: IORegistryEntry[] = [];
    const seen = new Set<IORegistryEntry>();
    const stack: IORegistryEntry[] = [this];
    const i = this.registry.plane(plane).index;
    while (stack.length > 0) {
      const e = stack.pop() as IORegistryEntry;
      if (seen.has(e)) continue;
      seen.add(e);
      order.push(e);
      for (const c of e.#children[i] ?? NO_ENTRIES) stack.push(c);
    }
    for (let k = order.length - 1; k >= 0; k--) (order[k] as IORegistryEntry).detachAbove(plane);
  }

  /** The first parent in `plane` (for the IOService plane: the provider). */
  getParentEntry(plane: IORegistryPlane | string): IORegistryEntry | undefined {
    return this.#parents[this.registry.plane(plane).index]?.[0];
  }

  /** All parents in `plane`, in attach order (a copy). */
  getParentEntries(plane: IORegistryPlane | string): IORegistryEntry[] {
    return [...(this.#parents[this.registry.plane(plane).index] ?? NO_ENTRIES)];
  }

  /** The first child in `plane`. */
  getChildEntry(plane: IORegistryPlane | string): IORegistryEntry | undefined {
    return this.#children[this.registry.plane(plane).index]?.[0];
  }

  /** All children in `plane`, in attach order (a copy, safe to keep while the registry changes). */
  getChildEntries(plane: IORegistryPlane | string): IORegistryEntry[] {
    return [...(this.#children[this.registry.plane(plane).index] ?? NO_ENTRIES)];
  }

  /**
   * The live child array for plane index `index`. Internal: iterators and serializers that copy or
   * finish before the registry changes.
   * @internal
   */
  childrenAt(index: number): readonly IORegistryEntry[] {
    return this.#children[index] ?? NO_ENTRIES;
  }

  /** @internal The live parent array for plane index `index`. */
  parentsAt(index: number): readonly IORegistryEntry[] {
    return this.#parents[index] ?? NO_ENTRIES;
  }

  /**
   * Children in plane index `index` named `name` (as `getName` answers), in attach order. Uses a
   * name index for entries with many children, so path lookups stay fast on wide nodes.
   * @internal
   */
  childrenNamed(index: number, plane: IORegistryPlane, name: string): readonly IORegistryEntry[] {
    const kids = this.#children[index] ?? NO_ENTRIES;
    if (kids.length < 8) return kids;
    let map = this.#childIndex?.[index];
    if (map === undefined) {
      map = new Map();
      for (const k of kids) {
        const n = k.getName(plane);
        const list = map.get(n);
        if (list === undefined) map.set(n, [k]);
        else list.push(k);
      }
      (this.#childIndex ??= [])[index] = map;
    }
    return map.get(name) ?? NO_ENTRIES;
  }

  /** Number of children in `plane`. */
  childCount(plane: IORegistryPlane | string): number {
    return this.#children[this.registry.plane(plane).index]?.length ?? 0;
  }

  isParent(parent: IORegistryEntry, plane: IORegistryPlane | string): boolean {
    return this.#parents[this.registry.plane(plane).index]?.includes(parent) ?? false;
  }

  isChild(child: IORegistryEntry, plane: IORegistryPlane | string): boolean {
    return child.isParent(this, plane);
  }

  /** True when the entry has a parent or a child in `plane`. */
  inPlane(plane: IORegistryPlane | string): boolean {
    const i = this.registry.plane(plane).index;
    return (this.#parents[i]?.length ?? 0) > 0 || (this.#children[i]?.length ?? 0) > 0;
  }

  /** Number of parent links over all planes. */
  get linkCount(): number {
    return this.#links;
  }

  /** Depth below the root in `plane`, following first parents (the root is 0). */
  getDepth(plane: IORegistryPlane | string): number {
    const i = this.registry.plane(plane).index;
    let d = 0;
    for (let e = this.#parents[i]?.[0]; e !== undefined; e = e.#parents[i]?.[0]) d++;
    return d;
  }

  // ---- retain counts ----

  /** `getRetainCount()`: the low 16 bits of the count. */
  get retainCount(): number {
    return this.getRetainCount();
  }

  // ---- service state ----

  /** `__state[0]`: kIOService*State bits (0 for non-services). */
  get state(): number {
    return this.#state;
  }

  /** Sets the given state bits. */
  setStateBits(bits: number): void {
    this.#state = (this.#state | bits) >>> 0;
  }

  /** Clears the given state bits. */
  clearStateBits(bits: number): void {
    this.#state = (this.#state & ~bits) >>> 0;
  }

  /** The busy count (0–1023). */
  get busyState(): number {
    return this.#busy;
  }

  /** Accumulated busy time in nanoseconds, including the current busy period. */
  get busyTimeNs(): bigint {
    return this.#busy > 0 ? this.#busyTimeNs + (this.registry.now() - this.#busySince) : this.#busyTimeNs;
  }

  /**
   * `adjustBusy(delta)`: changes the busy count and propagates idle↔busy transitions to the provider
   * chain (IOService plane parents).
   * @throws {IOReturnError} kIOReturnOverrun above 1023, kIOReturnUnderrun below 0; nothing changes then.
   */
  adjustBusy(delta: number): number {
    const target = this.#busy + delta;
    if (target > kIOServiceBusyMax) throw new IOReturnError(kIOReturnOverrun, `Cannot make ${this.getName()} busier than ${kIOServiceBusyMax}`);
    if (target < 0) throw new IOReturnError(kIOReturnUnderrun, `Cannot make ${this.getName()} less busy than 0`);
    const service = this.registry.plane("IOService");
    let entry: IORegistryEntry | undefined = this;
    let d = delta;
    while (entry !== undefined && d !== 0) {
      const was = entry.#busy;
      const now = Math.min(kIOServiceBusyMax, Math.max(0, was + d));
      if (now === was) break;
      entry.#busy = now;
      if (was === 0) entry.#busySince = this.registry.now();
      else if (now === 0) entry.#busyTimeNs += this.registry.now() - entry.#busySince;
      this.registry.busyChanged(entry);
      d = was === 0 ? 1 : now === 0 ? -1 : 0;
      entry = entry.#parents[service.index]?.[0];
    }
    return this.#busy;
  }

  /** @internal Restores recorded service state (snapshot loading). */
  restoreServiceState(state: number, busy: number, busyTimeNs: bigint): void {
    this.#state = state >>> 0;
    this.#busy = busy;
    this.#busyTimeNs = busyTimeNs;
    this.#busySince = this.registry.now();
  }

  override toString(): string {
    return `${this.getName()} <class ${this.className}, id 0x${this.entryID.toString(16)}>`;
  }
}
OSMetaClass.define(IORegistryEntry, "IORegistryEntry");
