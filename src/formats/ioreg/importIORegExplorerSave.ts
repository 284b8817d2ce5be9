/**
 * Imports an IORegistryExplorer `.ioreg` save (an NSKeyedArchiver binary plist) into a snapshot,
 * on top of the archiver's {@link readIORegistryExplorerArchive}, one plane at a time.
 *
 * Entries are matched across planes by IORegistryExplorer's `entryTag` (one tag per entry), so an
 * entry in the IOService and IODeviceTree planes becomes one snapshot entry with a name, location
 * and children in each. Saves record state as registered/matched/active flags, the busy count and
 * the kernel retain count, but no busy time and usually no entry ID; missing IDs are assigned in
 * IOService-plane order from the root's 0x100000100, and the text style says they are not real.
 * An entry is an IOService when its class chain contains `IOService`.
 *
 * A file that is not a save, or whose archive is damaged, is reported with the byte offset the
 * plist reader gives (or 0 when the damage is in the object graph); in non-strict mode what could
 * be read before the damage is kept, plane by plane.
 */
import type { OSValue } from "../../libkern/index.ts";
import {
  describeIORegistryExplorerArchive, readIORegistryExplorerGraph, treeOfPlane, type IORegExplorerGraph,
  type IORegExplorerNode,
} from "../archiver/index.ts";
import { parseBinaryPlist } from "../plist/index.ts";
import { ROOT_ENTRY_ID, type IORegistrySnapshot } from "./IORegistrySnapshot.ts";
import { IORegSyntaxError, type IORegImportProblem, type IORegImportResult } from "./IORegSyntaxError.ts";
import type { MutableSnapshotEntry } from "./snapshotBuilding.ts";

const offsetOf = (e: unknown): number => {
  const o = (e as { offset?: unknown }).offset;
  return typeof o === "number" ? o : 0;
};

/**
 * Imports a `.ioreg` save.
 * @throws {IORegSyntaxError} when the bytes are not a readable save at all, or (strict) at any damage.
 */
export function importIORegExplorerSave(bytes: Uint8Array, options: { strict?: boolean } = {}): IORegImportResult {
  let plist: OSValue;
  let planes: readonly string[];
  try {
    plist = parseBinaryPlist(bytes);
    planes = describeIORegistryExplorerArchive(plist).planes;
  } catch (e) {
    const reason = (e as Error).message.replace(/ at byte offset \d+\.?$/, "");
    throw new IORegSyntaxError(`not a readable IORegistryExplorer save: ${reason}`, undefined, offsetOf(e));
  }
  const order = planes.includes("IOService") ? ["IOService", ...planes.filter((p) => p !== "IOService")] : [...planes];
  const entries: MutableSnapshotEntry[] = [];
  const byKey = new Map<unknown, number>();
  let nextID = ROOT_ENTRY_ID;
  let sawIDs = false;
  let problem: IORegImportProblem | undefined;

  const entryFor = (node: IORegExplorerNode, plane: string): number => {
    const key = node.entryTag ?? node.entryID ?? node;
    let index = byKey.get(key);
    if (index === undefined) {
      if (node.entryID !== undefined) sawIDs = true;
      const isService = node.inheritance.includes("IOService");
      const supers = node.inheritance.slice(1).filter((c) => c !== "OSObject");
      const e: MutableSnapshotEntry = {
        id: node.entryID ?? nextID++,
        className: node.className,
        ...(supers.length > 0 ? { superclasses: supers } : {}),
        planeNames: {},
        planeLocations: {},
        properties: new Map(node.properties),
        children: {},
        retain: node.retainCount ?? 0,
      };
      if (isService) {
        const state = (node.state.registered ? 0x2 : 0) | (node.state.matched ? 0x4 : 0) | (node.state.active ? 0 : 0x1);
        e.service = { state, busy: node.busyCount ?? 0, busyTimeNs: 0n };
      }
      index = entries.length;
      entries.push(e);
      byKey.set(key, index);
    }
    const e = entries[index] as MutableSnapshotEntry;
    e.planeNames[plane] ??= node.name;
    if (node.location !== undefined) e.planeLocations[plane] ??= node.location;
    return index;
  };

  // The graph (every entry's properties decoded once) is shared by all planes: rebuilding it per
  // plane decoded each entry's XML properties once per plane.
  let graph: IORegExplorerGraph | undefined;
  let graphError: unknown;
  try {
    graph = readIORegistryExplorerGraph(plist);
  } catch (e) {
    graphError = e;
  }
  for (const plane of order) {
    let root: IORegExplorerNode;
    try {
      if (graph === undefined) throw graphError;
      root = treeOfPlane(graph, plane);
    } catch (e) {
      problem ??= { offset: offsetOf(e), message: `plane ${plane}: ${(e as Error).message}` };
      continue;
    }
    const done = new Set<IORegExplorerNode>();
    const stack: IORegExplorerNode[] = [root];
    entryFor(root, plane);
    while (stack.length > 0) {
      const node = stack.pop() as IORegExplorerNode;
      if (done.has(node)) continue;
      done.add(node);
      const index = entryFor(node, plane);
      if (node.children.length === 0) continue;
      const kids = ((entries[index] as MutableSnapshotEntry).children[plane] ??= []);
      for (const c of node.children) {
        const k = entryFor(c, plane);
        if (k !== index && !kids.includes(k)) kids.push(k);
      }
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as IORegExplorerNode);
    }
  }
  if (problem !== undefined && options.strict) throw new IORegSyntaxError(problem.message, undefined, problem.offset);
  if (entries.length === 0) throw new IORegSyntaxError("the save holds no registry tree", undefined, 0);
  const snapshot: IORegistrySnapshot = {
    planes: order,
    entries,
    textStyle: { ids: sawIDs, retainCount: false, planeHeader: false },
    hasProperties: true,
  };
  return problem === undefined ? { snapshot } : { snapshot, problem };
}
