/**
 * Reader for IORegistryExplorer's saved documents (`.ioreg` files).
 *
 * A `.ioreg` file is a binary property list holding an NSKeyedArchiver archive (`$archiver` =
 * "NSKeyedArchiver", `$top.root` → the document). It is not `ioreg -a` output. Unarchived, it is:
 *
 * - the root object, class `RexDataStore`, with fields
 *   - `hostName` (string), `archName` (string, e.g. "i386"), `byteOrder` (integer),
 *     `dataStoreVersion` (integer), `isUpToDate` (boolean), `lastUpdateDate` (NSDate),
 *   - `registryPlanes`: NSArray of plane names ("IOService", "IODeviceTree", "IOPower", …),
 *   - `registryEntries`: NSArray of every entry, each of class `RexRegistryEntry`;
 * - each `RexRegistryEntry`, with fields
 *   - `name` (string) and `location` (string, or nil) — the entry's global name and location,
 *   - `namesInPlanes`, `locationsInPlanes`: NSDictionary plane → name / location in that plane,
 *   - `inheritance`: NSArray of class names from the entry's class up to `OSObject`
 *     (so element 0 is the class, `IOObjectClass`),
 *   - `properties`: NSData holding the entry's properties as an XML property list (a dictionary,
 *     keys in the order the file lists them),
 *   - `childrenInPlanes`, `parentsInPlanes`: NSDictionary plane → NSArray of entries (the graph
 *     therefore has cycles: a child points back at its parent),
 *   - `entryTag` (integer, IORegistryExplorer's tag for the entry; not the registry entry ID,
 *     which appears only if the properties carry `IORegistryEntryID`), `bundleID` (string),
 *     `kernelRetainCount`, `busyCount` (integers), `isRegistryRoot`, `isRegistered`, `isMatched`,
 *     `isActive`, `isNew`, `conformsToIOService`, `terminationAcknowledged` (booleans),
 *     `dateDiscovered`, `dateLastUpdated`, `dateTerminated` (NSDate or nil).
 *
 * {@link readIORegistryExplorerGraph} lists every entry once with children per plane as indexes;
 * {@link readIORegistryExplorerSave} builds one plane's tree from it, starting at the entry with
 * `isRegistryRoot` and following `childrenInPlanes[plane]` (never the parent links) with an explicit
 * stack. An entry with several parents in the plane appears under each (as the same node object);
 * an entry that would be its own ancestor is an error.
 */
import type { OSDictionary, OSValue } from "../../libkern/index.ts";
import { KeyedArchiveError } from "./KeyedArchiveError.ts";
import {
  describeIORegistryExplorerArchive, parseIORegistryExplorerBytes, readIORegistryExplorerGraph,
  type IORegExplorerDocument, type IORegExplorerEntry, type IORegExplorerGraph,
} from "./readIORegistryExplorerGraph.ts";

/** One registry entry of an IORegistryExplorer document, in one plane, with its children there. */
export interface IORegExplorerNode extends Omit<IORegExplorerEntry, "childrenInPlanes"> {
  /** Name in the plane (`namesInPlanes`), else the entry's name. */
  readonly name: string;
  /** Location in the plane (`locationsInPlanes`), else the entry's location, if any. */
  readonly location: string | undefined;
  /** The entry's properties, in file order. */
  readonly properties: OSDictionary;
  /** Children in the plane. */
  readonly children: IORegExplorerNode[];
}

/** Options for {@link readIORegistryExplorerSave}. */
export interface IORegExplorerOptions {
  /** The plane whose tree to build (default "IOService"). */
  readonly plane?: string;
}

/** Builds one plane's tree from a graph read by {@link readIORegistryExplorerGraph}. */
export function treeOfPlane(graph: IORegExplorerGraph, plane = "IOService"): IORegExplorerNode {
  const nodes = new Map<number, IORegExplorerNode>();
  const node = (i: number): IORegExplorerNode => {
    let n = nodes.get(i);
    if (n === undefined) {
      const { childrenInPlanes: _, ...e } = graph.entries[i] as IORegExplorerEntry;
      n = { ...e, name: e.namesInPlanes.get(plane) ?? e.name, location: e.locationsInPlanes.get(plane) ?? e.location, children: [] };
      nodes.set(i, n);
    }
    return n;
  };
  const onPath = new Set<number>();
  const expanded = new Set<number>();
  const stack: Array<{ i: number; exit: boolean }> = [{ i: graph.root, exit: false }];
  while (stack.length > 0) {
    const { i, exit } = stack.pop() as { i: number; exit: boolean };
    if (exit) { onPath.delete(i); continue; }
    if (expanded.has(i)) continue; // reached again through another parent before its turn
    onPath.add(i);
    expanded.add(i);
    stack.push({ i, exit: true });
    const kids = graph.entries[i]?.childrenInPlanes.get(plane) ?? [];
    const parent = node(i);
    for (let k = kids.length - 1; k >= 0; k--) {
      const c = kids[k] as number;
      if (onPath.has(c)) throw new KeyedArchiveError(`Entry "${graph.entries[c]?.name}" is its own ancestor in plane ${plane}`, -1);
      if (!expanded.has(c)) stack.push({ i: c, exit: false });
    }
    for (const c of kids) parent.children.push(node(c));
  }
  return node(graph.root);
}

/**
 * Builds one plane's tree of an IORegistryExplorer document (already parsed from its binary plist).
 * @throws {KeyedArchiveError} when the archive is not such a document or is malformed.
 */
export function readIORegistryExplorerArchive(plist: OSValue, options: IORegExplorerOptions = {}): IORegExplorerNode {
  return treeOfPlane(readIORegistryExplorerGraph(plist), options.plane);
}

/**
 * Reads an IORegistryExplorer `.ioreg` save into a plain tree (default: the IOService plane).
 * @throws {KeyedArchiveError} or a property-list error when the file is not such a document.
 */
export function readIORegistryExplorerSave(bytes: Uint8Array, options: IORegExplorerOptions = {}): IORegExplorerNode {
  return readIORegistryExplorerArchive(parseIORegistryExplorerBytes(bytes), options);
}

/** Reads the document-level facts of a `.ioreg` save. */
export function describeIORegistryExplorerSave(bytes: Uint8Array): IORegExplorerDocument {
  return describeIORegistryExplorerArchive(parseIORegistryExplorerBytes(bytes));
}
