/**
 * The flat form of an IORegistryExplorer document: every entry once, with its per-plane names,
 * locations and children as indexes, so a caller can rebuild the registry in every plane at once
 * (the `.ioreg` layout itself is described on {@link readIORegistryExplorerSave}).
 *
 * Mechanism: the entries listed in `registryEntries` are numbered in that order; the children of
 * each entry in each plane are resolved to those numbers (an entry reachable only through a child
 * list is appended). Nothing here recurses, and the parent links of the archive are never
 * followed, so its cycles do not matter.
 */
import { isBinaryPlist, parseBinaryPlist, parseXMLPlist } from "../plist/index.ts";
import { OSDate, OSNumber, type OSDictionary, type OSValue } from "../../libkern/index.ts";
import { KeyedArchive } from "./KeyedArchive.ts";
import { KeyedArchiveError } from "./KeyedArchiveError.ts";

/** One registry entry of an IORegistryExplorer document, across all planes. */
export interface IORegExplorerEntry {
  /** The entry's name (`name`). */
  readonly name: string;
  /** The entry's class (`IOObjectClass`): the first element of `inheritance`. */
  readonly className: string;
  /** Class chain from the entry's class up to `OSObject`. */
  readonly inheritance: readonly string[];
  /** The entry's location (`location`), if any. */
  readonly location: string | undefined;
  /** Name per plane (`namesInPlanes`). */
  readonly namesInPlanes: ReadonlyMap<string, string>;
  /** Location per plane (`locationsInPlanes`). */
  readonly locationsInPlanes: ReadonlyMap<string, string>;
  /** Children per plane, as indexes into {@link IORegExplorerGraph.entries}. */
  readonly childrenInPlanes: ReadonlyMap<string, readonly number[]>;
  /** `IORegistryEntryID` when the properties carry it. */
  readonly entryID: bigint | undefined;
  /** IORegistryExplorer's `entryTag` for the entry. */
  readonly entryTag: number | undefined;
  /** Bundle identifier of the kext defining the class. */
  readonly bundleID: string | undefined;
  /** `kernelRetainCount` at the time of the save. */
  readonly retainCount: number | undefined;
  /** `busyCount` at the time of the save. */
  readonly busyCount: number | undefined;
  /** `isRegistered`, `isMatched`, `isActive` flags. */
  readonly state: { readonly registered: boolean; readonly matched: boolean; readonly active: boolean };
  /** The entry's properties, in file order. */
  readonly properties: OSDictionary;
}

/** Document-level facts of an IORegistryExplorer save. */
export interface IORegExplorerDocument {
  readonly hostName: string | undefined;
  readonly archName: string | undefined;
  readonly planes: readonly string[];
  readonly lastUpdate: OSDate | undefined;
  /** Number of entries in `registryEntries`. */
  readonly entryCount: number;
}

/** Every entry of a document, numbered, with the index of the registry root. */
export interface IORegExplorerGraph {
  readonly document: IORegExplorerDocument;
  readonly entries: readonly IORegExplorerEntry[];
  /** Index of the entry marked `isRegistryRoot`. */
  readonly root: number;
}

const str = (v: OSValue | undefined): string | undefined => (typeof v === "string" ? v : undefined);
const int = (v: OSValue | undefined): number | undefined => (v instanceof OSNumber ? v.toNumber() : undefined);

/** Parses the bytes of a `.ioreg` file into its property list, refusing text saved under that name. */
export function parseIORegistryExplorerBytes(bytes: Uint8Array): OSValue {
  if (!isBinaryPlist(bytes)) {
    throw new KeyedArchiveError("Not an IORegistryExplorer document: a .ioreg save is a binary property list (bplist00); text saved under that name is ioreg output", -1);
  }
  return parseBinaryPlist(bytes);
}

function storeOf(a: KeyedArchive): OSDictionary {
  const root = a.top.get("root");
  if (root === undefined || a.className(root) !== "RexDataStore") {
    throw new KeyedArchiveError("Not an IORegistryExplorer document: $top.root is not a RexDataStore", -1);
  }
  return a.fields(root);
}

function decodedField(a: KeyedArchive, f: OSDictionary, key: string): OSValue | undefined {
  const v = f.get(key);
  return v === undefined || a.isNil(v) ? undefined : a.decode(v);
}

function stringMap(v: OSValue | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (v instanceof Map) for (const [k, s] of v) if (typeof s === "string") out.set(k, s);
  return out;
}

function properties(raw: OSValue | undefined, at: number): OSDictionary {
  if (raw === undefined) return new Map();
  if (raw instanceof Map) return raw;
  if (!(raw instanceof Uint8Array)) throw new KeyedArchiveError("Entry properties are neither data nor a dictionary", at);
  if (raw.length === 0) return new Map();
  const parsed = isBinaryPlist(raw) ? parseBinaryPlist(raw) : parseXMLPlist(raw);
  if (!(parsed instanceof Map)) throw new KeyedArchiveError("Entry properties are not a dictionary", at);
  return parsed;
}

/** Reads the document-level facts (given the parsed property list). */
export function describeIORegistryExplorerArchive(plist: OSValue): IORegExplorerDocument {
  const a = new KeyedArchive(plist);
  const f = storeOf(a);
  const planes = decodedField(a, f, "registryPlanes");
  const entries = a.fields(f.get("registryEntries") as OSValue).get("NS.objects");
  const when = decodedField(a, f, "lastUpdateDate");
  return {
    hostName: str(decodedField(a, f, "hostName")),
    archName: str(decodedField(a, f, "archName")),
    planes: Array.isArray(planes) ? planes.filter((p): p is string => typeof p === "string") : [],
    lastUpdate: when instanceof OSDate ? when : undefined,
    entryCount: Array.isArray(entries) ? entries.length : 0,
  };
}

/**
 * Reads every entry of an IORegistryExplorer document (given the parsed property list).
 * @throws {KeyedArchiveError} when the archive is not such a document or is malformed.
 */
export function readIORegistryExplorerGraph(plist: OSValue): IORegExplorerGraph {
  const a = new KeyedArchive(plist);
  const store = storeOf(a);
  const listed = a.fields(store.get("registryEntries") as OSValue).get("NS.objects");
  if (!Array.isArray(listed)) throw new KeyedArchiveError("registryEntries has no NS.objects", -1);

  const order: OSValue[] = [];
  const indexOf = new Map<OSValue, number>();
  const number = (ref: OSValue): number => {
    const key = a.resolve(ref);
    let i = indexOf.get(key);
    if (i === undefined) {
      i = order.length;
      indexOf.set(key, i);
      order.push(ref);
    }
    return i;
  };
  listed.forEach(number);

  const entries: IORegExplorerEntry[] = [];
  let root = -1;
  // `order` grows when a child list names an entry missing from registryEntries.
  for (let i = 0; i < order.length; i++) {
    const ref = order[i] as OSValue;
    const at = (ref as { value?: number }).value ?? -1;
    const f = a.fields(ref);
    const chain = decodedField(a, f, "inheritance");
    const inheritance = Array.isArray(chain) ? chain.filter((c): c is string => typeof c === "string") : [];
    const props = properties(decodedField(a, f, "properties"), at);
    const children = new Map<string, number[]>();
    const byPlane = f.get("childrenInPlanes");
    if (byPlane !== undefined && !a.isNil(byPlane)) {
      const d = a.fields(byPlane);
      const keys = d.get("NS.keys");
      const lists = d.get("NS.objects");
      if (!Array.isArray(keys) || !Array.isArray(lists) || keys.length !== lists.length) {
        throw new KeyedArchiveError("childrenInPlanes is not a dictionary", at);
      }
      keys.forEach((k, j) => {
        const plane = a.resolve(k);
        const members = a.fields(lists[j] as OSValue).get("NS.objects");
        if (typeof plane === "string" && Array.isArray(members)) children.set(plane, members.map(number));
      });
    }
    if (f.get("isRegistryRoot") === true && root < 0) root = i;
    const id = props.get("IORegistryEntryID");
    entries.push({
      name: str(decodedField(a, f, "name")) ?? "",
      className: inheritance[0] ?? "",
      inheritance,
      location: str(decodedField(a, f, "location")),
      namesInPlanes: stringMap(decodedField(a, f, "namesInPlanes")),
      locationsInPlanes: stringMap(decodedField(a, f, "locationsInPlanes")),
      childrenInPlanes: children,
      entryID: id instanceof OSNumber ? BigInt.asUintN(64, id.value) : undefined,
      entryTag: int(f.get("entryTag")),
      bundleID: str(decodedField(a, f, "bundleID")),
      retainCount: int(f.get("kernelRetainCount")),
      busyCount: int(f.get("busyCount")),
      state: { registered: f.get("isRegistered") === true, matched: f.get("isMatched") === true, active: f.get("isActive") === true },
      properties: props,
    });
  }
  if (root < 0) throw new KeyedArchiveError("No entry is marked isRegistryRoot", -1);
  return { document: describeIORegistryExplorerArchive(plist), entries, root };
}
