/**
 * Adapts an imported registry snapshot (any importer of `formats/ioreg`) to the replay's
 * {@link ReplayEntry} tree in the snapshot's first plane. An entry with several parents is one
 * shared object, so the replay matches it once. IDs that the importer invented for dumps that
 * print none (before Mac OS X 10.6) are dropped: the replay then names entries by path.
 */
import { snapshotChildren, snapshotLocation, snapshotName, type IORegistrySnapshot } from "../../formats/index.ts";
import type { ReplayEntry } from "./replayDump.ts";

interface MutableReplayEntry {
  name: string;
  location: string | undefined;
  className: string;
  id: bigint | undefined;
  properties: ReplayEntry["properties"];
  children: ReplayEntry[];
  registered: boolean | undefined;
  superclasses: readonly string[] | undefined;
}

/** The replay tree of a snapshot, rooted at entry 0, in `plane` (default: the snapshot's first). */
export function replayEntriesFromSnapshot(snapshot: IORegistrySnapshot, plane = snapshot.planes[0] ?? "IOService"): ReplayEntry & { readonly superclasses?: readonly string[] | undefined } {
  const realIds = snapshot.textStyle === undefined || snapshot.textStyle.ids;
  const made: MutableReplayEntry[] = snapshot.entries.map((e) => ({
    name: snapshotName(e, plane),
    location: snapshotLocation(e, plane),
    className: e.className,
    id: realIds ? e.id : undefined,
    properties: e.properties,
    children: [],
    registered: e.service === undefined ? undefined : (e.service.state & 0x2) !== 0,
    superclasses: e.superclasses,
  }));
  snapshot.entries.forEach((e, i) => {
    const m = made[i] as MutableReplayEntry;
    for (const c of snapshotChildren(e, plane)) {
      const child = made[c];
      if (child !== undefined) m.children.push(child);
    }
  });
  return made[0] as MutableReplayEntry;
}
