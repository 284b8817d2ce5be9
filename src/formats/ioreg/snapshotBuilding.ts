/**
 * Shared pieces of the importers: the mutable form of a snapshot entry they build, a stand-in
 * root for sources that have none (`ioreg -r` output, archives of subtrees), and the reordering
 * that puts the root at index 0 as {@link IORegistrySnapshot} requires.
 */
import type { OSValue } from "../../libkern/index.ts";
import { ROOT_ENTRY_ID, type SnapshotServiceState } from "./IORegistrySnapshot.ts";

/** A snapshot entry while an importer builds it. */
export interface MutableSnapshotEntry {
  id: bigint;
  className: string;
  superclasses?: string[];
  planeNames: Record<string, string>;
  planeLocations: Record<string, string>;
  properties: Map<string, OSValue>;
  verbatim?: Set<string>;
  children: Record<string, number[]>;
  service?: SnapshotServiceState;
  retain: number;
}

/** A `Root` entry for sources that do not include one, named in `plane` ("" = decided later). */
export function standInRoot(plane: string, id = ROOT_ENTRY_ID): MutableSnapshotEntry {
  return { id, className: "IORegistryEntry", planeNames: { [plane]: "Root" }, planeLocations: {}, properties: new Map(), children: {}, retain: 1 };
}

/** Reorders `entries` so that `root` comes first, rewriting child indices. */
export function moveRootFirst(entries: MutableSnapshotEntry[], root: number): MutableSnapshotEntry[] {
  if (root === 0) return entries;
  const order = [root, ...entries.keys()].filter((i, k) => k === 0 || i !== root);
  const where = new Map(order.map((old, neu) => [old, neu]));
  return order.map((old) => {
    const e = entries[old] as MutableSnapshotEntry;
    for (const p of Object.keys(e.children)) e.children[p] = (e.children[p] as number[]).map((c) => where.get(c) as number);
    return e;
  });
}
