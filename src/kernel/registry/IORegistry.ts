/**
 * The I/O Registry: the root entry, the planes, the entry-ID counter, the ID index, and the
 * generation counter that iterators use to detect change.
 *
 * State. Entry IDs come from a per-registry counter that starts at (1<<32)+255 and pre-increments,
 * so the root is 0x100000100 and IDs follow allocation order (XNU's counter is global; ours is per
 * registry so tests and imported dumps are deterministic). The ID index holds the root and every
 * entry that has at least one parent link in some plane; lookups by ID, class and property go
 * through it, in the order entries were first attached. Every link change increments `generation`.
 *
 * Snapshots. {@link IORegistry.fromSnapshot} rebuilds a registry from plain data (an imported
 * dump), keeping entry IDs, names and locations per plane, properties in order, service state,
 * busy counts and retain counts exactly; {@link IORegistry.toSnapshot} writes it back.
 */
import { IOReturnError, kIOReturnBadArgument, kIOReturnNotFound } from "../../base/index.ts";
import type { OSValue } from "../../libkern/index.ts";
import { osEqual } from "../../libkern/index.ts";
import {
  ROOT_ENTRY_ID, type IORegistrySnapshot, type IORegistrySnapshotEntry,
} from "../../formats/index.ts";
import { IORegistryEntry, type RegistryClass, type RegistryHost } from "./IORegistryEntry.ts";
import { IORegistryIterator, type IterateOptions } from "./IORegistryIterator.ts";
import { IORegistryPlane, STANDARD_PLANES, kIODeviceTreePlane } from "./IORegistryPlane.ts";
import { aliasTarget, aliasesEntry, plainPath, walkPath, type PathLookup } from "./registryPath.ts";

/** A simple class for entries whose class has no OSMetaClass behind it. */
class NamedClass implements RegistryClass {
  readonly className: string;
  readonly superClass: RegistryClass | null;
  constructor(className: string, superClass: RegistryClass | null) {
    this.className = className;
    this.superClass = superClass;
  }
}

/** Options for a new registry. */
export interface IORegistryOptions {
  /** Planes to create, in order; default the standard six. */
  readonly planes?: readonly string[];
  /** Clock in nanoseconds for busy time; default `performance.now()`. */
  readonly clock?: () => bigint;
}

/** A listener for busy transitions (kIOMessageServiceBusyStateChange). */
export type BusyListener = (entry: IORegistryEntry, busy: number) => void;

export class IORegistry implements RegistryHost {
  /** The root entry: `Root`, class `IORegistryEntry`, ID 0x100000100. */
  readonly root: IORegistryEntry;
  readonly #planes = new Map<string, IORegistryPlane>();
  readonly #planeList: IORegistryPlane[] = [];
  readonly #byID = new Map<number | bigint, IORegistryEntry>();
  readonly #classes = new Map<string, RegistryClass>();
  readonly #busyListeners = new Set<BusyListener>();
  readonly #clock: () => bigint;
  #lastID = ROOT_ENTRY_ID - 1n;
  #stale = 0;
  /** One-entry cache for plane lookups by name: callers mostly repeat one plane. */
  #lastPlaneName: string | undefined;
  #lastPlane: IORegistryPlane | undefined;
  #generation = 0;

  constructor(options: IORegistryOptions = {}) {
    this.#clock = options.clock ?? (() => BigInt(Math.round(performance.now() * 1e6)));
    this.root = new IORegistryEntry(this, { className: "IORegistryEntry", name: "Root", isService: false });
    this.#byID.set(this.root.idKey, this.root);
    this.root.indexed = true;
    for (const p of options.planes ?? STANDARD_PLANES) this.makePlane(p);
  }

  // ---- RegistryHost ----

  /** @internal */
  allocateEntryID(requested?: bigint): bigint {
    if (requested === undefined) return ++this.#lastID;
    if (requested > this.#lastID) this.#lastID = requested;
    return requested;
  }

  /**
   * Resolves a plane by name or object.
   * @throws {IOReturnError} kIOReturnNotFound for an unknown plane name.
   */
  plane(plane: IORegistryPlane | string): IORegistryPlane {
    if (typeof plane !== "string") return plane;
    if (plane === this.#lastPlaneName) return this.#lastPlane as IORegistryPlane;
    const p = this.#planes.get(plane);
    if (p !== undefined) {
      this.#lastPlaneName = plane;
      this.#lastPlane = p;
      return p;
    }
    throw new IOReturnError(kIOReturnNotFound, `Cannot find registry plane "${plane}"`);
  }

  /** @internal */
  topologyChanged(entry: IORegistryEntry, linked: boolean): void {
    this.#generation++;
    // The ID index keeps entries that went out of the registry until they outnumber the live
    // ones, then sweeps: a detach/re-attach pair (the common churn) then costs no table
    // insert or delete. Lookups check linkCount, so a stale entry is never returned.
    if (linked) {
      if (!entry.indexed) {
        this.#byID.set(entry.idKey, entry);
        entry.indexed = true;
      } else this.#stale--;
    } else if (entry.linkCount === 0 && entry !== this.root) {
      if (++this.#stale > 1024 && this.#stale * 2 > this.#byID.size) this.#sweep();
    }
  }

  #sweep(): void {
    for (const [k, e] of this.#byID) {
      if (e.linkCount === 0 && e !== this.root) {
        this.#byID.delete(k);
        e.indexed = false;
      }
    }
    this.#stale = 0;
  }

  #live(e: IORegistryEntry | undefined): IORegistryEntry | undefined {
    return e !== undefined && (e.linkCount > 0 || e === this.root) ? e : undefined;
  }

  /** @internal */
  busyChanged(entry: IORegistryEntry): void {
    for (const l of this.#busyListeners) l(entry, entry.busyState);
  }

  /** @internal */
  now(): bigint {
    return this.#clock();
  }

  /** A simple class by name (created on first use, superclass `superName` or none). */
  classNamed(name: string, superName?: string): RegistryClass {
    let c = this.#classes.get(name);
    if (c === undefined) {
      c = new NamedClass(name, superName === undefined ? null : this.classNamed(superName));
      this.#classes.set(name, c);
    }
    return c;
  }

  // ---- planes ----

  /** Creates a plane (or returns the existing one) and lists it in the root's `IORegistryPlanes`. */
  makePlane(name: string): IORegistryPlane {
    const existing = this.#planes.get(name);
    if (existing !== undefined) return existing;
    const plane = new IORegistryPlane(name, this.#planeList.length);
    this.#planes.set(name, plane);
    this.#planeList.push(plane);
    const table = new Map<string, OSValue>();
    for (const p of this.#planeList) table.set(p.name, p.name);
    this.root.setProperty("IORegistryPlanes", table);
    return plane;
  }

  /** The plane named `name`, if any. */
  getPlane(name: string): IORegistryPlane | undefined {
    return this.#planes.get(name);
  }

  /** All planes, in creation order. */
  get planes(): readonly IORegistryPlane[] {
    return this.#planeList;
  }

  /** Incremented on every attach and detach. */
  get generation(): number {
    return this.#generation;
  }

  // ---- entries and lookups ----

  /** Creates an entry of a simple class. */
  createEntry(className: string, options: { name?: string; location?: string; isService?: boolean; superClass?: string } = {}): IORegistryEntry {
    return new IORegistryEntry(this, {
      metaClass: this.classNamed(className, options.superClass),
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.location !== undefined ? { location: options.location } : {}),
      ...(options.isService !== undefined ? { isService: options.isService } : {}),
    });
  }

  /** The entry with `IORegistryEntryID` `id`, if it is in the registry. */
  entryForID(id: bigint): IORegistryEntry | undefined {
    return this.#live(this.#byID.get(id <= 0x1fffffffffffffn ? Number(id) : id));
  }

  /** Every entry in the registry (the root, then entries in first-attach order). */
  *entries(): IterableIterator<IORegistryEntry> {
    for (const e of this.#byID.values()) if (this.#live(e) !== undefined) yield e;
  }

  /** Number of entries in the registry. */
  get entryCount(): number {
    return this.#byID.size - this.#stale;
  }

  /** Entries whose class is `className` or, with `conforms`, derives from it. */
  findByClass(className: string, options: { conforms?: boolean } = {}): IORegistryEntry[] {
    const out: IORegistryEntry[] = [];
    for (const e of this.entries()) {
      if (options.conforms ? e.conformsTo(className) : e.className === className) out.push(e);
    }
    return out;
  }

  /** Entries with property `key` (equal to `value` when given). */
  findByProperty(key: string, value?: OSValue): IORegistryEntry[] {
    const out: IORegistryEntry[] = [];
    for (const e of this.entries()) {
      const v = e.getProperty(key);
      if (v !== undefined && (value === undefined || osEqual(v, value))) out.push(e);
    }
    return out;
  }

  /** Entries in `plane` named `name`, or `name@location` when the argument has `@` (as `ioreg -n`). */
  findByName(name: string, plane: IORegistryPlane | string = "IOService"): IORegistryEntry[] {
    const p = this.plane(plane);
    const withLocation = name.includes("@");
    const out: IORegistryEntry[] = [];
    for (const e of this.iterate(this.root, p, { recursive: true, includeStart: true })) {
      const n = withLocation ? `${e.getName(p)}@${e.getLocation(p) ?? ""}` : e.getName(p);
      if (n === name) out.push(e);
    }
    return out;
  }

  /** An iterator over `plane` from `start`; see {@link IORegistryIterator} for its safety rules. */
  iterate(start: IORegistryEntry, plane: IORegistryPlane | string, options: IterateOptions = {}): IORegistryIterator {
    return new IORegistryIterator(start, this.plane(plane), () => this.#generation, options);
  }

  /**
   * `getProperty(key, plane, options)` / `IORegistryEntrySearchCFProperty`: the entry's own
   * property, else (with `recursive`) the first one found walking its children, or its parents
   * with `parents`, in `plane`.
   */
  searchProperty(entry: IORegistryEntry, key: string, plane: IORegistryPlane | string, options: { recursive?: boolean; parents?: boolean } = {}): OSValue | undefined {
    const own = entry.getProperty(key);
    if (own !== undefined || !options.recursive) return own;
    for (const e of this.iterate(entry, plane, { recursive: true, ...(options.parents ? { parents: true } : {}) })) {
      const v = e.getProperty(key);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** Adds a busy-transition listener; returns a function that removes it. */
  onBusyChange(listener: BusyListener): () => void {
    this.#busyListeners.add(listener);
    return () => this.#busyListeners.delete(listener);
  }

  // ---- paths ----

  /** The path of `entry` in `plane`; in IODeviceTree the shortest alias naming the entry wins. */
  getPath(entry: IORegistryEntry, plane: IORegistryPlane | string): string | undefined {
    const p = this.plane(plane);
    if (p.name === kIODeviceTreePlane && entry !== this.root) {
      const aliases = aliasesEntry(this.root, p);
      let best: string | undefined;
      if (aliases !== undefined && aliases !== entry) {
        for (const [alias, value] of aliases.properties) {
          if (alias === "name" || (best !== undefined && alias.length >= best.length)) continue;
          const target = aliasTarget(value);
          if (target === undefined || !target.startsWith("/")) continue;
          const hit = walkPath(this.root.childrenAt(p.index)[0] as IORegistryEntry, p, target);
          if (hit.residual === "" && hit.entry === entry) best = alias;
        }
      }
      if (best !== undefined) return `${p.name}:${best}`;
    }
    return plainPath(this.root, entry, p);
  }

  /**
   * Resolves a path. `Plane:` may prefix it; otherwise `options.plane` applies. Absolute paths
   * start at the root's first child; a path with nothing after `Plane:` is the root; relative
   * paths start at `options.from`, or (IODeviceTree) at an alias.
   * @returns the entry, or undefined when any part of the path does not resolve.
   */
  fromPath(path: string, options: { plane?: IORegistryPlane | string; from?: IORegistryEntry } = {}): IORegistryEntry | undefined {
    const r = this.lookupPath(path, options);
    return r !== undefined && r.residual === "" ? r.entry : undefined;
  }

  /** Like {@link fromPath} but returns the deepest entry reached and the unresolved rest. */
  lookupPath(path: string, options: { plane?: IORegistryPlane | string; from?: IORegistryEntry } = {}): PathLookup | undefined {
    let rest = path;
    let plane: IORegistryPlane | undefined;
    const colon = path.indexOf(":");
    const slash = path.indexOf("/");
    if (colon >= 0 && (slash < 0 || colon < slash)) {
      plane = this.#planes.get(path.slice(0, colon));
      if (plane !== undefined) rest = path.slice(colon + 1);
    }
    if (plane === undefined) {
      if (options.plane === undefined) return undefined;
      plane = this.plane(options.plane);
    }
    if (rest === "" && options.from === undefined) return { entry: this.root, residual: "" };
    if (rest.startsWith("/")) {
      const top = this.root.childrenAt(plane.index)[0];
      if (top === undefined) return undefined;
      return walkPath(top, plane, rest);
    }
    if (options.from !== undefined) return walkPath(options.from, plane, rest);
    if (plane.name !== kIODeviceTreePlane) return undefined;
    const slashAt = rest.indexOf("/");
    const alias = slashAt < 0 ? rest : rest.slice(0, slashAt);
    const target = aliasTarget(aliasesEntry(this.root, plane)?.getProperty(alias));
    if (target === undefined || !target.startsWith("/")) return undefined;
    const top = this.root.childrenAt(plane.index)[0] as IORegistryEntry;
    const base = walkPath(top, plane, target);
    if (base.residual !== "") return undefined;
    return walkPath(base.entry, plane, slashAt < 0 ? "" : rest.slice(slashAt));
  }

  // ---- snapshots ----

  /**
   * Builds a registry from a snapshot. Entry 0 becomes the root (its ID, properties and retain
   * count are taken over); planes are created as listed; links are made in child order. Values a
   * dump kept verbatim stay plain strings here (the verbatim mark belongs to the snapshot).
   * @throws {IOReturnError} kIOReturnBadArgument when a link points outside the entry list.
   */
  static fromSnapshot(snapshot: IORegistrySnapshot, options: Omit<IORegistryOptions, "planes"> = {}): IORegistry {
    const reg = new IORegistry({ ...options, planes: snapshot.planes.length > 0 ? snapshot.planes : STANDARD_PLANES });
    const src = snapshot.entries;
    if (src.length === 0) return reg;
    const made: IORegistryEntry[] = new Array(src.length);
    const root = src[0] as IORegistrySnapshotEntry;
    made[0] = reg.root;
    reg.#restore(reg.root, root, true);
    for (let i = 1; i < src.length; i++) {
      const s = src[i] as IORegistrySnapshotEntry;
      const e = new IORegistryEntry(reg, {
        metaClass: reg.#classChain(s.className, s.superclasses),
        isService: s.service !== undefined,
        entryID: s.id,
        ...(s.name !== undefined ? { name: s.name } : {}),
        ...(s.location !== undefined ? { location: s.location } : {}),
      });
      reg.#restore(e, s, false);
      made[i] = e;
    }
    for (let i = 0; i < src.length; i++) {
      const s = src[i] as IORegistrySnapshotEntry;
      for (const [planeName, kids] of Object.entries(s.children)) {
        const plane = reg.makePlane(planeName);
        for (const k of kids) {
          const child = made[k];
          if (child === undefined || k === i) throw new IOReturnError(kIOReturnBadArgument, `Cannot load snapshot: entry ${i} links to missing entry ${k}`);
          child.attachToParent(made[i] as IORegistryEntry, plane);
        }
      }
    }
    for (let i = 0; i < src.length; i++) (made[i] as IORegistryEntry).restoreRetainCount((src[i] as IORegistrySnapshotEntry).retain);
    return reg;
  }

  #classChain(name: string, supers: readonly string[] | undefined): RegistryClass {
    if (supers !== undefined && supers.length > 0 && !this.#classes.has(name)) {
      for (let i = supers.length - 1; i >= 0; i--) this.classNamed(supers[i] as string, supers[i + 1]);
      return this.classNamed(name, supers[0]);
    }
    return this.classNamed(name);
  }

  #restore(e: IORegistryEntry, s: IORegistrySnapshotEntry, isRoot: boolean): void {
    // The root keeps the ID it was built with; planes it lists were made by the constructor.
    if (isRoot) e.removeProperty("IORegistryPlanes");
    e.setProperties(s.properties);
    for (const [plane, name] of Object.entries(s.planeNames)) e.setName(name, this.makePlane(plane));
    for (const [plane, loc] of Object.entries(s.planeLocations)) e.setLocation(loc, this.makePlane(plane));
    if (s.service !== undefined && e.isService) e.restoreServiceState(s.service.state, s.service.busy, s.service.busyTimeNs);
  }

  /** Writes the registry as plain data: every entry reachable from the root in any plane. */
  toSnapshot(): IORegistrySnapshot {
    const index = new Map<IORegistryEntry, number>();
    const order: IORegistryEntry[] = [];
    const visit = (e: IORegistryEntry): void => {
      if (index.has(e)) return;
      index.set(e, order.length);
      order.push(e);
    };
    visit(this.root);
    for (const p of this.#planeList) {
      for (const e of this.iterate(this.root, p, { recursive: true })) visit(e);
    }
    const planes = this.#planeList.map((p) => p.name);
    const entries: IORegistrySnapshotEntry[] = order.map((e) => {
      const children: Record<string, number[]> = {};
      for (const p of this.#planeList) {
        const kids = e.childrenAt(p.index);
        if (kids.length > 0) children[p.name] = kids.map((k) => index.get(k) as number);
      }
      const nl = e.planeNamesAndLocations();
      const supers = e.inheritance().slice(1);
      return {
        id: e.entryID,
        className: e.className,
        ...(supers.length > 0 ? { superclasses: supers } : {}),
        ...(nl.name !== undefined ? { name: nl.name } : {}),
        ...(nl.location !== undefined ? { location: nl.location } : {}),
        planeNames: Object.fromEntries([...nl.names].map(([p, n]) => [(this.#planeList[p] as IORegistryPlane).name, n])),
        planeLocations: Object.fromEntries([...nl.locations].map(([p, n]) => [(this.#planeList[p] as IORegistryPlane).name, n])),
        properties: new Map(e.properties),
        children,
        ...(e.isService ? { service: { state: e.state, busy: e.busyState, busyTimeNs: e.busyTimeNs } } : {}),
        retain: e.retainCount,
      };
    });
    return { planes, entries };
  }
}
