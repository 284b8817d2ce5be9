/**
 * `ioreg -a`: the registry as a property-list value, and back.
 *
 * {@link buildIORegArchive} produces what ioreg's `archive()` hands to `CFPropertyListWrite`: per
 * node a dictionary of its properties (with `-l` or when it matches -c/-k/-n; sets become arrays,
 * as XML plists have no sets) plus `IORegistryEntryName`, `IORegistryEntryLocation`,
 * `IORegistryEntryID` (SInt64), `IOObjectClass`, `IOObjectInheritance` (with -i),
 * `IOObjectRetainCount` (SInt32), for IOServices `IOServiceState` (SInt64), `IOServiceBusyState`
 * (SInt32) and `IOServiceBusyTime` (SInt64, ns), and `IORegistryEntryChildren` (omitted when empty
 * or at the depth limit). Keys are sorted, as Core Foundation's XML writer sorts them. With -r the
 * top is an array of the matched subtrees.
 *
 * {@link importIORegArchive} reads such a value (from XML or binary) into a snapshot. The plane is
 * not recorded in an archive; it defaults to IOService.
 */
import { OSNumber, type OSValue } from "../../libkern/index.ts";
import {
  snapshotChildren, snapshotLocation, snapshotName,
  type IORegistrySnapshot, type IORegistrySnapshotEntry,
} from "./IORegistrySnapshot.ts";
import { ioregMatches, type IORegFormatOptions } from "./formatIORegText.ts";
import { IORegSyntaxError, type IORegImportResult } from "./IORegSyntaxError.ts";
import { moveRootFirst, standInRoot, type MutableSnapshotEntry } from "./snapshotBuilding.ts";

const SPECIAL_KEYS = new Set([
  "IORegistryEntryName", "IORegistryEntryLocation", "IORegistryEntryID", "IOObjectClass", "IOObjectInheritance",
  "IOObjectRetainCount", "IOServiceState", "IOServiceBusyState", "IOServiceBusyTime", "IORegistryEntryChildren",
]);

/** Deep copy with sets turned into arrays (XML plists have no sets). Depth-bounded. */
function forArchive(value: OSValue): OSValue {
  if (!(value instanceof Map) && !(value instanceof Set) && !Array.isArray(value)) return value;
  const convert = (v: OSValue, depth: number): OSValue => {
    if (depth > 512) return v;
    if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, convert(x, depth + 1)]));
    if (v instanceof Set || Array.isArray(v)) return [...v].map((x) => convert(x, depth + 1));
    return v;
  };
  return convert(value, 0);
}

function archiveEntry(e: IORegistrySnapshotEntry, plane: string, o: IORegFormatOptions): Map<string, OSValue> {
  const d = new Map<string, OSValue>();
  if (o.list || ioregMatches(e, plane, o)) for (const [k, v] of e.properties) d.set(k, forArchive(v));
  d.set("IORegistryEntryName", snapshotName(e, plane));
  const loc = snapshotLocation(e, plane);
  if (loc !== undefined) d.set("IORegistryEntryLocation", loc);
  d.set("IORegistryEntryID", new OSNumber(BigInt.asIntN(64, e.id), 64));
  d.set("IOObjectClass", e.className);
  if (o.inheritance) {
    const chain = [...(e.superclasses ?? [])].reverse().filter((c) => c !== "OSObject");
    d.set("IOObjectInheritance", [...chain, e.className]);
  }
  d.set("IOObjectRetainCount", new OSNumber(e.retain, 32));
  if (e.service !== undefined) {
    d.set("IOServiceState", new OSNumber(BigInt(e.service.state), 64));
    d.set("IOServiceBusyState", new OSNumber(e.service.busy, 32));
    d.set("IOServiceBusyTime", new OSNumber(BigInt.asIntN(64, e.service.busyTimeNs), 64));
  }
  return d;
}

/** ioreg's archive_scan(): the subtree at `start` as nested dictionaries. */
function archiveScan(s: IORegistrySnapshot, start: number, startDepth: number, plane: string, o: IORegFormatOptions, limit: number): Map<string, OSValue> {
  const top = archiveEntry(s.entries[start] as IORegistrySnapshotEntry, plane, o);
  const stack: Array<[number, number, Map<string, OSValue>]> = [[start, startDepth, top]];
  while (stack.length > 0) {
    const [index, depth, dict] = stack.pop() as [number, number, Map<string, OSValue>];
    if (depth > s.entries.length) continue;
    const kids = snapshotChildren(s.entries[index] as IORegistrySnapshotEntry, plane);
    if ((limit === 0 || limit > depth + 1) && kids.length > 0) {
      const arr: OSValue[] = [];
      dict.set("IORegistryEntryChildren", arr);
      const frames: Array<[number, number, Map<string, OSValue>]> = [];
      for (const k of kids) {
        const child = archiveEntry(s.entries[k] as IORegistrySnapshotEntry, plane, o);
        arr.push(child);
        frames.push([k, depth + 1, child]);
      }
      for (let i = frames.length - 1; i >= 0; i--) stack.push(frames[i] as [number, number, Map<string, OSValue>]);
    }
  }
  return top;
}

/** The value `ioreg -a` writes for a snapshot with the given options. */
export function buildIORegArchive(s: IORegistrySnapshot, o: IORegFormatOptions = {}): OSValue {
  const plane = o.plane ?? "IOService";
  const limit = o.depth ?? 0;
  if (!o.root) return archiveScan(s, 0, 0, plane, o, limit);
  const out: OSValue[] = [];
  const ancestors: number[] = [];
  const stack: Array<[number, number, number]> = [[0, 0, 0]];
  while (stack.length > 0) {
    const [index, depth, before] = stack.pop() as [number, number, number];
    if (depth > s.entries.length) continue;
    let matched = before;
    const e = s.entries[index] as IORegistrySnapshotEntry;
    if (matched < depth + 1 && ioregMatches(e, plane, o)) {
      matched = limit ? depth + limit : Number.MAX_SAFE_INTEGER;
      if (o.tree) {
        let d = archiveScan(s, index, depth, plane, o, limit ? limit + depth : 0);
        for (let i = depth - 1; i >= 0; i--) {
          const parent = archiveEntry(s.entries[ancestors[i] as number] as IORegistrySnapshotEntry, plane, o);
          // ioreg sets the single subtree dictionary (not an array) as the ancestor's children.
          parent.set("IORegistryEntryChildren", d);
          d = parent;
        }
        out.push(d);
      } else out.push(archiveScan(s, index, 0, plane, o, limit));
    }
    ancestors.length = depth;
    ancestors.push(index);
    const kids = snapshotChildren(e, plane);
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i] as number, depth + 1, matched]);
  }
  return out;
}

const asBig = (v: OSValue | undefined): bigint | undefined => (v instanceof OSNumber ? v.value : undefined);

/**
 * Reads an `ioreg -a` value (a Root dictionary, or with -r an array of subtrees) into a snapshot.
 * @throws {IORegSyntaxError} in strict mode when a node is not a dictionary or lacks its class.
 */
export function importIORegArchive(value: OSValue, options: { plane?: string; strict?: boolean } = {}): IORegImportResult {
  const plane = options.plane ?? "IOService";
  const entries: MutableSnapshotEntry[] = [];
  const byID = new Map<bigint, number>();
  let problem: string | undefined;
  let synthetic = 0x100000100n;
  const add = (d: Map<string, OSValue>): number => {
    const id = asBig(d.get("IORegistryEntryID")) ?? synthetic++;
    const uid = BigInt.asUintN(64, id);
    const known = byID.get(uid);
    if (known !== undefined) return known;
    const cls = d.get("IOObjectClass");
    if (typeof cls !== "string") problem ??= `node ${entries.length} has no IOObjectClass`;
    const inh = d.get("IOObjectInheritance");
    const name = d.get("IORegistryEntryName");
    const loc = d.get("IORegistryEntryLocation");
    const state = asBig(d.get("IOServiceState"));
    const e: MutableSnapshotEntry = {
      id: uid,
      className: typeof cls === "string" ? cls : "IORegistryEntry",
      planeNames: typeof name === "string" ? { [plane]: name } : {},
      planeLocations: typeof loc === "string" ? { [plane]: loc } : {},
      properties: new Map([...d].filter(([k]) => !SPECIAL_KEYS.has(k))),
      children: {},
      retain: Number(asBig(d.get("IOObjectRetainCount")) ?? 0n),
    };
    if (Array.isArray(inh) && inh.every((c) => typeof c === "string") && inh.length > 1) e.superclasses = (inh.slice(0, -1) as string[]).reverse();
    if (state !== undefined) {
      e.service = { state: Number(BigInt.asUintN(32, state)), busy: Number(asBig(d.get("IOServiceBusyState")) ?? 0n), busyTimeNs: asBig(d.get("IOServiceBusyTime")) ?? 0n };
    }
    entries.push(e);
    byID.set(uid, entries.length - 1);
    return entries.length - 1;
  };
  const tops = Array.isArray(value) ? value : [value];
  let root: number | undefined;
  const stack: Array<[Map<string, OSValue>, number | undefined]> = [];
  for (let i = tops.length - 1; i >= 0; i--) {
    const t = tops[i];
    if (t instanceof Map) stack.push([t, undefined]);
    else problem ??= `top-level item ${i} is not a dictionary`;
  }
  while (stack.length > 0) {
    const [d, parent] = stack.pop() as [Map<string, OSValue>, number | undefined];
    const index = add(d);
    if (parent === undefined) {
      const e = entries[index] as MutableSnapshotEntry;
      if (root === undefined && e.className === "IORegistryEntry" && e.planeNames[plane] === "Root") root = index;
      else {
        if (root === undefined) {
          root = entries.length;
          entries.push(standInRoot(plane));
        }
        const kids = ((entries[root] as MutableSnapshotEntry).children[plane] ??= []);
        if (!kids.includes(index)) kids.push(index);
      }
    } else {
      const kids = ((entries[parent] as MutableSnapshotEntry).children[plane] ??= []);
      if (!kids.includes(index)) kids.push(index);
    }
    const c = d.get("IORegistryEntryChildren");
    const list = c instanceof Map ? [c] : Array.isArray(c) ? c : [];
    for (let i = list.length - 1; i >= 0; i--) {
      const k = list[i];
      if (k instanceof Map) stack.push([k, index]);
      else problem ??= "a child is not a dictionary";
    }
  }
  if (problem !== undefined && options.strict) throw new IORegSyntaxError(problem);
  if (root === undefined) {
    root = entries.length;
    entries.push(standInRoot(plane));
  }
  const snapshot: IORegistrySnapshot = {
    planes: [plane],
    entries: moveRootFirst(entries, root),
    textStyle: { ids: true, retainCount: false, planeHeader: false },
    hasProperties: entries.some((e) => e.properties.size > 0),
  };
  return problem === undefined ? { snapshot } : { snapshot, problem: { message: problem } };
}
