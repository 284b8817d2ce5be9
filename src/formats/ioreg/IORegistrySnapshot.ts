/**
 * The registry as plain data: what every importer (`ioreg` text, `ioreg -a` archives,
 * IORegistryExplorer saves) produces, what the kernel's `IORegistry.fromSnapshot` loads and
 * `IORegistry.toSnapshot` writes, and what the `ioreg` renderer prints.
 *
 * Entries live in one array; links are indices into it, never object references, so a snapshot
 * can describe an entry with several parents (an IOService with two providers) and survives
 * `structuredClone`. Index 0 is always the root (`Root`, class `IORegistryEntry`).
 *
 * Everything a source records is kept: property order (a dump's hash order is the only order we
 * know, so it is the order we keep), value types, per-plane names and locations, service state,
 * busy count and time, retain counts. What a source does not record stays absent rather than
 * invented, with one exception: dumps without entry IDs (before Mac OS X 10.6) get IDs assigned
 * in file order from the root's `0x100000100`, and {@link IORegTextStyle.ids} says they are not
 * real, so renderers do not print them.
 */
import type { OSDictionary } from "../../libkern/index.ts";

/** A service's state as `ioreg` shows it: `IOServiceGetBusyStateAndTime`. */
export interface SnapshotServiceState {
  /** `__state[0]` bits: Inactive 0x1, Registered 0x2, Matched 0x4, FirstPublish 0x8, FirstMatch 0x10. */
  readonly state: number;
  /** Busy count, 0–1023. */
  readonly busy: number;
  /** Accumulated busy time in nanoseconds. */
  readonly busyTimeNs: bigint;
}

/** One registry entry. */
export interface IORegistrySnapshotEntry {
  /** `IORegistryEntryID`. */
  readonly id: bigint;
  /** The class name (`IOObjectClass`). */
  readonly className: string;
  /** Superclasses from the direct superclass up, `OSObject` excluded, when the source records them. */
  readonly superclasses?: readonly string[];
  /** The generic name (`IOName`) when the source records it apart from plane names. */
  readonly name?: string;
  /** The generic location (`IOLocation`). */
  readonly location?: string;
  /** Plane-specific names, keyed by plane name. */
  readonly planeNames: Readonly<Record<string, string>>;
  /** Plane-specific locations, keyed by plane name. */
  readonly planeLocations: Readonly<Record<string, string>>;
  /** Properties in source order. */
  readonly properties: OSDictionary;
  /**
   * Keys whose value the source wrote in a syntax we do not understand (a redacted `<--->`, a
   * clipped line). The value is kept as a string holding the source text, and renderers print
   * it verbatim.
   */
  readonly verbatim?: ReadonlySet<string>;
  /** Children per plane, as indices into {@link IORegistrySnapshot.entries}, in attach order. */
  readonly children: Readonly<Record<string, readonly number[]>>;
  /** Present exactly when the entry is an IOService. */
  readonly service?: SnapshotServiceState;
  /** The retain count as shown (low 16 bits). */
  readonly retain: number;
}

/** How the source printed node lines; renderers of an imported dump follow it. */
export interface IORegTextStyle {
  /** Node lines carry `id 0x…` (Mac OS X 10.6 and later). */
  readonly ids: boolean;
  /** Node lines say `retain count N` (Mac OS X 10.4) instead of `retain N`. */
  readonly retainCount: boolean;
  /** The dump starts with a `<Plane>:` line (some 10.4 dumps). */
  readonly planeHeader: boolean;
  /** Numbers and data were printed in hex (`ioreg -x`). */
  readonly hex?: boolean;
  /** Non-ASCII strings were printed in Mac OS Roman (Mac OS X 10.5-era ioreg), not UTF-8. */
  readonly macRoman?: boolean;
  /** Planes of a dump that holds one `<Plane>:` section per plane, in order. */
  readonly sections?: readonly string[];
}

/** The modern `ioreg` node-line style. */
export const MODERN_TEXT_STYLE: IORegTextStyle = { ids: true, retainCount: false, planeHeader: false };

/** A whole registry as plain data. */
export interface IORegistrySnapshot {
  /** Every plane the source names; the first is the plane a text dump was taken in. */
  readonly planes: readonly string[];
  /** entries[0] is the root. */
  readonly entries: readonly IORegistrySnapshotEntry[];
  /** The node-line style of the source, for imported text dumps. */
  readonly textStyle?: IORegTextStyle;
  /** Whether the source listed properties (`ioreg -l`) or only the tree. */
  readonly hasProperties?: boolean;
}

/** The conventional first entry ID: XNU's counter starts at (1<<32)+255 and pre-increments. */
export const ROOT_ENTRY_ID = 0x100000100n;

/** True when the snapshot entry is attached under `parent` in `plane`. */
export function snapshotChildren(entry: IORegistrySnapshotEntry, plane: string): readonly number[] {
  return entry.children[plane] ?? EMPTY;
}
const EMPTY: readonly number[] = Object.freeze([]);

/** `getName(plane)`: plane name, else `IOName`, else the class name. */
export function snapshotName(entry: IORegistrySnapshotEntry, plane: string): string {
  return entry.planeNames[plane] ?? entry.name ?? entry.className;
}

/** `getLocation(plane)`: plane location, else `IOLocation`, else none. */
export function snapshotLocation(entry: IORegistrySnapshotEntry, plane: string): string | undefined {
  return entry.planeLocations[plane] ?? entry.location;
}
