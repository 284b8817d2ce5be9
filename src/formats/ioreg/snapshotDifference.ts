/**
 * Compares two registry snapshots as registries: same entries (by ID), classes, names and
 * locations per plane, properties (as values, in any order; a set equals an array with the same
 * members, since XML archives have no sets), children in order, service state and retain counts.
 * Used to check that converting a dump (e.g. to `ioreg -a`) loses nothing.
 */
import { osEqual, type OSValue } from "../../libkern/index.ts";
import type { IORegistrySnapshot, IORegistrySnapshotEntry } from "./IORegistrySnapshot.ts";

function setsToArrays(v: OSValue): OSValue {
  if (v instanceof Set) return [...v].map(setsToArrays);
  if (Array.isArray(v)) return v.map(setsToArrays);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, setsToArrays(x)]));
  return v;
}

/**
 * The first difference between `a` (in plane `planeA`) and `b` (in `planeB`), or undefined when
 * they describe the same registry in those planes.
 */
export function snapshotDifference(a: IORegistrySnapshot, b: IORegistrySnapshot, planeA: string, planeB = planeA): string | undefined {
  const byID = new Map(b.entries.map((e, i) => [e.id, i]));
  const seen = new Set<number>();
  const stack: Array<[number, number]> = [[0, 0]];
  while (stack.length > 0) {
    const [ia, ib] = stack.pop() as [number, number];
    if (seen.has(ia)) continue;
    seen.add(ia);
    const x = a.entries[ia] as IORegistrySnapshotEntry;
    const y = b.entries[ib] as IORegistrySnapshotEntry;
    const where = `entry 0x${x.id.toString(16)} (${x.className})`;
    if (x.id !== y.id) return `${where}: ID 0x${y.id.toString(16)} instead`;
    if (x.className !== y.className) return `${where}: class ${y.className} instead`;
    if ((x.planeNames[planeA] ?? x.name ?? x.className) !== (y.planeNames[planeB] ?? y.name ?? y.className)) return `${where}: name differs`;
    if ((x.planeLocations[planeA] ?? x.location) !== (y.planeLocations[planeB] ?? y.location)) return `${where}: location differs`;
    if (x.retain !== y.retain) return `${where}: retain ${y.retain} instead of ${x.retain}`;
    if (JSON.stringify(x.service, (_, v) => (typeof v === "bigint" ? v.toString() : v)) !== JSON.stringify(y.service, (_, v) => (typeof v === "bigint" ? v.toString() : v))) return `${where}: service state differs`;
    if (!osEqual(setsToArrays(x.properties), setsToArrays(y.properties))) return `${where}: properties differ`;
    const ka = x.children[planeA] ?? [];
    const kb = y.children[planeB] ?? [];
    if (ka.length !== kb.length) return `${where}: ${kb.length} children instead of ${ka.length}`;
    for (let i = 0; i < ka.length; i++) {
      const ca = a.entries[ka[i] as number] as IORegistrySnapshotEntry;
      const cb = byID.get(ca.id);
      if (cb === undefined || cb !== kb[i]) return `${where}: child ${i} differs`;
      stack.push([ka[i] as number, cb]);
    }
  }
  return undefined;
}
