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
 * {@link readIORegistryExplorerSave} finds the entry with `isRegistryRoot` and follows
 * `childrenInPlanes[plane]` (never the parent links) with an explicit stack, producing a plain
 * tree of {@link IORegExplorerNode}s. An entry with several parents in the plane appears under each
 * (as the same node object); an entry that would be its own ancestor is an error.
 */
import { parseBinaryPlist, parseXMLPlist, isBinaryPlist } from "../plist/index.ts";
import { OSDate, OSNumber, type OSDictionary, type OSValue } from "../../libkern/index.ts";
import { KeyedArchive } from "./KeyedArchive.ts";
import { KeyedArchiveError } from "./KeyedArchiveError.ts";

/** One registry entry of an IORegistryExplorer document, in one plane. */
export interface IORegExplorerNode {
  /** Name in the plane (`namesInPlanes`), else the entry's name. */
  readonly name: string;
  /** The entry's class (`IOObjectClass`): the first element of `inheritance`. */
  readonly className: string;
  /** Class chain from the entry's class up to `OSObject`. */
  readonly inheritance: readonly string[];
  /** Location in the plane (`locationsInPlanes`), else the entry's location, if any. */
  readonly location: string | undefined;
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
  /** Children in the plane. */
  readonly children: IORegExplorerNode[];
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

/** Options for {@link readIORegistryExplorerSave}. */
export interface IORegExplorerOptions {
  /** The plane whose tree to build (default "IOService"). */
  readonly plane?: string;
}

function str(v: OSValue | undefined): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function int(v: OSValue | undefined): number | undefined {
  return v instanceof OSNumber ? v.toNumber() : undefined;
}

function parseArchivePlist(bytes: Uint8Array): OSValue {
  if (!isBinaryPlist(bytes)) {
    throw new KeyedArchiveError("Not an IORegistryExplorer document: a .ioreg save is a binary property list (bplist00); text saved under that name is ioreg output", -1);
  }
  return parseBinaryPlist(bytes);
}

/** Reads the document-level facts of a `.ioreg` save (given as the parsed property list). */
export function describeIORegistryExplorerArchive(plist: OSValue): IORegExplorerDocument {
  const a = new KeyedArchive(plist);
  const root = rootObject(a);
  const f = a.fields(root);
  const planes = f.has("registryPlanes") ? a.decode(f.get("registryPlanes") as OSValue) : [];
  const entries = a.fields(f.get("registryEntries") as OSValue).get("NS.objects");
  const when = f.get("lastUpdateDate");
  return {
    hostName: str(a.isNil(f.get("hostName")) ? undefined : a.decode(f.get("hostName") as OSValue)),
    archName: str(a.isNil(f.get("archName")) ? undefined : a.decode(f.get("archName") as OSValue)),
    planes: Array.isArray(planes) ? planes.filter((p): p is string => typeof p === "string") : [],
    lastUpdate: when !== undefined && !a.isNil(when) ? (a.decode(when) as OSDate) : undefined,
    entryCount: Array.isArray(entries) ? entries.length : 0,
  };
}

function rootObject(a: KeyedArchive): OSValue {
  const root = a.top.get("root");
  if (root === undefined || a.className(root) !== "RexDataStore") {
    throw new KeyedArchiveError("Not an IORegistryExplorer document: $top.root is not a RexDataStore", -1);
  }
  return root;
}

/**
 * Builds the tree of an IORegistryExplorer document (already parsed from its binary plist).
 * @throws {KeyedArchiveError} when the archive is not such a document or is malformed.
 */
export function readIORegistryExplorerArchive(plist: OSValue, options: IORegExplorerOptions = {}): IORegExplorerNode {
  const plane = options.plane ?? "IOService";
  const a = new KeyedArchive(plist);
  const store = a.fields(rootObject(a));
  const list = a.fields(store.get("registryEntries") as OSValue).get("NS.objects");
  if (!Array.isArray(list)) throw new KeyedArchiveError("registryEntries has no NS.objects", -1);
  const rootEntry = list.find((e) => a.fields(e).get("isRegistryRoot") === true);
  if (rootEntry === undefined) throw new KeyedArchiveError("No entry is marked isRegistryRoot", -1);

  const nodes = new Map<OSValue, IORegExplorerNode>();
  const indexOf = (e: OSValue): number => (e as { value?: number }).value ?? -1;

  const planeDict = (f: OSDictionary, key: string): OSDictionary => {
    const v = f.get(key);
    if (v === undefined || a.isNil(v)) return new Map();
    const d = a.decode(v);
    return d instanceof Map ? d : new Map();
  };

  const makeNode = (e: OSValue): IORegExplorerNode => {
    const f = a.fields(e);
    const at = indexOf(e);
    const decoded = (k: string): OSValue | undefined => {
      const v = f.get(k);
      return v === undefined || a.isNil(v) ? undefined : a.decode(v);
    };
    const inheritance = decoded("inheritance");
    const chain = Array.isArray(inheritance) ? inheritance.filter((c): c is string => typeof c === "string") : [];
    const names = planeDict(f, "namesInPlanes");
    const locations = planeDict(f, "locationsInPlanes");
    const raw = decoded("properties");
    let properties: OSDictionary;
    if (raw instanceof Uint8Array) {
      const parsed = raw.length === 0 ? new Map() : isBinaryPlist(raw) ? parseBinaryPlist(raw) : parseXMLPlist(raw);
      if (!(parsed instanceof Map)) throw new KeyedArchiveError("Entry properties are not a dictionary", at);
      properties = parsed;
    } else if (raw instanceof Map) {
      properties = raw;
    } else if (raw === undefined) {
      properties = new Map();
    } else {
      throw new KeyedArchiveError("Entry properties are neither data nor a dictionary", at);
    }
    const id = properties.get("IORegistryEntryID");
    return {
      name: str(names.get(plane)) ?? str(decoded("name")) ?? "",
      className: chain[0] ?? "",
      inheritance: chain,
      location: str(locations.get(plane)) ?? str(decoded("location")),
      entryID: id instanceof OSNumber ? BigInt.asUintN(64, id.value) : undefined,
      entryTag: int(f.get("entryTag")),
      bundleID: str(decoded("bundleID")),
      retainCount: int(f.get("kernelRetainCount")),
      busyCount: int(f.get("busyCount")),
      state: { registered: f.get("isRegistered") === true, matched: f.get("isMatched") === true, active: f.get("isActive") === true },
      properties,
      children: [],
    };
  };

  const childrenOf = (e: OSValue): OSValue[] => {
    const byPlane = a.fields(e).get("childrenInPlanes");
    if (byPlane === undefined || a.isNil(byPlane)) return [];
    const d = a.fields(byPlane);
    const keys = d.get("NS.keys");
    const values = d.get("NS.objects");
    if (!Array.isArray(keys) || !Array.isArray(values)) throw new KeyedArchiveError("childrenInPlanes is not a dictionary", indexOf(byPlane));
    const i = keys.findIndex((k) => a.resolve(k) === plane);
    if (i < 0) return [];
    const list = a.fields(values[i] as OSValue).get("NS.objects");
    return Array.isArray(list) ? list : [];
  };

  const root = makeNode(rootEntry);
  nodes.set(a.resolve(rootEntry), root);
  const onPath = new Set<OSValue>();
  type Step = { entry: OSValue; node: IORegExplorerNode; exit: boolean };
  const stack: Step[] = [{ entry: rootEntry, node: root, exit: false }];
  while (stack.length > 0) {
    const step = stack.pop() as Step;
    const key = a.resolve(step.entry);
    if (step.exit) { onPath.delete(key); continue; }
    onPath.add(key);
    stack.push({ ...step, exit: true });
    const kids = childrenOf(step.entry);
    const fresh: Step[] = [];
    for (const k of kids) {
      const kkey = a.resolve(k);
      if (onPath.has(kkey)) throw new KeyedArchiveError(`Entry is its own ancestor in plane ${plane}`, indexOf(k));
      let node = nodes.get(kkey);
      if (node === undefined) {
        node = makeNode(k);
        nodes.set(kkey, node);
        fresh.push({ entry: k, node, exit: false });
      }
      step.node.children.push(node);
    }
    for (let i = fresh.length - 1; i >= 0; i--) stack.push(fresh[i] as Step);
  }
  return root;
}

/**
 * Reads an IORegistryExplorer `.ioreg` save into a plain tree (default: the IOService plane).
 * @throws {KeyedArchiveError} or a property-list error when the file is not such a document.
 */
export function readIORegistryExplorerSave(bytes: Uint8Array, options: IORegExplorerOptions = {}): IORegExplorerNode {
  return readIORegistryExplorerArchive(parseArchivePlist(bytes), options);
}

/** Reads the document-level facts of a `.ioreg` save. */
export function describeIORegistryExplorerSave(bytes: Uint8Array): IORegExplorerDocument {
  return describeIORegistryExplorerArchive(parseArchivePlist(bytes));
}
