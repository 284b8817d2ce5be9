/**
 * Imports `ioreg` text output (with or without `-l`, any plane, every generation since Mac OS X
 * 10.4) into an {@link IORegistrySnapshot}.
 *
 * Lines are classified by what follows the tree art (`| ` and `  ` pairs): `+-o ` starts a node,
 * `{` and `}` open and close its property block, `"key" = value` is a property, an empty rest is
 * the blank line after a block. A node's depth is the width of its tree art over two. Node lines
 * come in three generations, all recognised:
 *
 *   +-o Root  <class IORegistryEntry, retain count 13>                         (10.4)
 *   +-o ACPI  <class IOService, registered, matched, active, busy 0, retain 8>  (10.5)
 *   +-o PCI0@0  <class IOPCIDevice, id 0x100000123, registered, matched, active, busy 0 (12 ms), retain 11>
 *
 * and the style is recorded in the snapshot so the dump can be printed back the same way. A class
 * written as `Super:Class` (`ioreg -i`) gives the superclass chain. An entry printed under two
 * parents (same ID) becomes one entry with two parents.
 *
 * Values are read by {@link IORegValueReader}; a value it cannot read is kept verbatim. A value may
 * run over several lines (strings hold raw newlines). Anything structurally wrong (a line that is
 * none of the above, a node deeper than its parent allows, a broken node line, a block cut off by
 * the end of the input) stops the import: what came before is kept and the line is reported, or,
 * in strict mode, thrown as an {@link IORegSyntaxError}. CRLF line ends and a UTF-8 BOM are
 * accepted.
 */
import {
  ROOT_ENTRY_ID, type IORegTextStyle, type IORegistrySnapshot, type IORegistrySnapshotEntry,
  type SnapshotServiceState,
} from "./IORegistrySnapshot.ts";
import { IORegValueReader, binaryToText, bytesToBinary, textToBinary, type TextDecodingStats } from "./parseIORegValue.ts";
import { IORegSyntaxError, type IORegImportResult } from "./IORegSyntaxError.ts";
import { moveRootFirst, standInRoot, type MutableSnapshotEntry } from "./snapshotBuilding.ts";

/** Options for {@link importIORegText}. */
export interface IORegTextOptions {
  /** Throw at the first problem instead of returning what was read. */
  readonly strict?: boolean;
  /** The plane the dump was taken in; default from a `Plane:` header, else guessed from the tree. */
  readonly plane?: string;
}

interface NodeLine {
  name: string;
  location: string | undefined;
  className: string;
  superclasses: string[] | undefined;
  id: bigint | undefined;
  service: SnapshotServiceState | undefined;
  retain: number;
  retainCount: boolean;
}

const STATE_REGISTERED = 0x2;
const STATE_MATCHED = 0x4;
const STATE_INACTIVE = 0x1;

/** Parses the `name@loc  <class …>` part of a node line (after `+-o `). */
export function parseNodeLine(text: string, stats?: TextDecodingStats): NodeLine | undefined {
  const cut = text.indexOf("  <class ");
  if (cut < 0 || !text.endsWith(">")) return undefined;
  const label = text.slice(0, cut);
  const at = label.indexOf("@");
  const fields = text.slice(cut + 9, -1).split(", ");
  const chain = (fields[0] as string).split(":");
  const node: NodeLine = {
    name: binaryToText(at < 0 ? label : label.slice(0, at), stats),
    location: at < 0 ? undefined : binaryToText(label.slice(at + 1), stats),
    className: chain[chain.length - 1] as string,
    superclasses: chain.length > 1 ? chain.slice(0, -1).reverse() : undefined,
    id: undefined,
    service: undefined,
    retain: 0,
    retainCount: false,
  };
  let state = 0;
  let busy: number | undefined;
  let busyTimeNs = 0n;
  let sawRetain = false;
  for (let i = 1; i < fields.length; i++) {
    const f = fields[i] as string;
    let m: RegExpExecArray | null;
    if ((m = /^id 0x([0-9a-f]{1,16})$/i.exec(f)) !== null) node.id = BigInt(`0x${m[1]}`);
    else if (f === "registered") state |= STATE_REGISTERED;
    else if (f === "matched") state |= STATE_MATCHED;
    else if (f === "inactive") state |= STATE_INACTIVE;
    else if (f === "!registered" || f === "!matched" || f === "active") continue;
    else if ((m = /^busy (\d+)(?: \((\d+) ms\))?$/.exec(f)) !== null) {
      busy = Number(m[1]);
      // "(0 ms)" means some time under a millisecond: keep it non-zero so it prints back.
      if (m[2] !== undefined) busyTimeNs = m[2] === "0" ? 1n : BigInt(m[2]) * 1_000_000n;
    } else if ((m = /^retain (count )?(\d+)$/.exec(f)) !== null) {
      node.retain = Number(m[2]);
      node.retainCount = m[1] !== undefined;
      sawRetain = true;
    } else return undefined;
  }
  if (!sawRetain) return undefined;
  if (busy !== undefined) node.service = { state, busy, busyTimeNs };
  return node;
}

/**
 * Imports `ioreg` text. Accepts bytes (any encoding ioreg wrote: UTF-8 strings, raw data bytes) or
 * a string.
 * @throws {IORegSyntaxError} only in strict mode, at the first structural problem.
 */
export function importIORegText(input: Uint8Array | string, options: IORegTextOptions = {}): IORegImportResult {
  let src = typeof input === "string" ? textToBinary(input) : bytesToBinary(input);
  if (src.startsWith("\xef\xbb\xbf")) src = src.slice(3);
  if (src.includes("\r")) src = src.replace(/\r\n/g, "\n");

  const entries: MutableSnapshotEntry[] = [];
  const byID = new Map<bigint, number>();
  const path: number[] = []; // entry index per depth
  let planeHeader = false;
  let style: IORegTextStyle | undefined;
  let hasProperties = false;
  let problem: { line: number; message: string } | undefined;
  let current: MutableSnapshotEntry | undefined; // entry whose property block is open
  let currentIsNew = false;
  let inBlock = false;
  let lastKey: string | undefined;
  let nextSyntheticID = ROOT_ENTRY_ID;
  let rootIndex: number | undefined;
  const pending: Array<[number, number, string]> = []; // (parent, child, section) links
  const sections: string[] = [];
  let section = ""; // "" until a `Plane:` header names it; resolved at the end
  let sawHex = false;
  const stats: TextDecodingStats = { utf8: 0, macRoman: 0 };

  const fail = (line: number, message: string): void => {
    problem = { line, message };
  };

  let pos = 0;
  let line = 0;
  while (pos < src.length && problem === undefined) {
    line++;
    let eol = src.indexOf("\n", pos);
    if (eol < 0) eol = src.length;
    let art = pos;
    while (art + 1 < eol && (src[art] === "|" || src[art] === " ") && src[art + 1] === " ") art += 2;
    if (art < eol && src[art] === "|" && art + 1 === eol) art++; // "|" with trailing space stripped
    const rest = src.slice(art, eol);

    if (!inBlock && art === pos && /^[A-Za-z0-9_]+:$/.test(rest)) {
      // `Plane:` starts a section: the first line of some dumps, or a later plane in a multi-plane dump.
      section = rest.slice(0, -1);
      if (line === 1) planeHeader = true;
      sections.push(section);
      path.length = 0;
      current = undefined;
    } else if (rest.startsWith("+-o ")) {
      if (inBlock) {
        fail(line, "node line inside a property block");
        break;
      }
      const node = parseNodeLine(rest.slice(4), stats);
      const depth = (art - pos) / 2;
      if (node === undefined) {
        fail(line, "unreadable node line");
        break;
      }
      if (depth > path.length) {
        fail(line, `node at depth ${depth} has no parent`);
        break;
      }
      style ??= { ids: node.id !== undefined, retainCount: node.retainCount, planeHeader };
      const isRoot = depth === 0 && node.className === "IORegistryEntry" && node.name === "Root";
      let index = node.id !== undefined ? byID.get(node.id) : isRoot ? rootIndex : undefined;
      currentIsNew = index === undefined;
      if (index === undefined) {
        const id = node.id ?? nextSyntheticID++;
        index = entries.length;
        entries.push({
          id,
          className: node.className,
          ...(node.superclasses !== undefined ? { superclasses: node.superclasses } : {}),
          planeNames: { [section]: node.name },
          planeLocations: node.location !== undefined ? { [section]: node.location } : {},
          properties: new Map(),
          children: {},
          ...(node.service !== undefined ? { service: node.service } : {}),
          retain: node.retain,
        });
        byID.set(id, index);
      } else {
        // Seen before (a second parent, or another plane's section): name it in this section too.
        const known = entries[index] as MutableSnapshotEntry;
        known.planeNames[section] ??= node.name;
        if (node.location !== undefined) known.planeLocations[section] ??= node.location;
      }
      if (depth === 0) {
        if (isRoot) rootIndex ??= index;
        else {
          rootIndex ??= makeSyntheticRoot(entries, byID);
          pending.push([rootIndex, index, section]);
        }
      } else {
        pending.push([path[depth - 1] as number, index, section]);
      }
      path.length = depth;
      path.push(index);
      current = entries[index];
    } else if (rest === "{") {
      if (current === undefined || inBlock) {
        fail(line, "unexpected '{'");
        break;
      }
      inBlock = true;
      hasProperties = true;
      lastKey = undefined;
    } else if (rest === "}") {
      if (!inBlock) {
        fail(line, "unexpected '}'");
        break;
      }
      inBlock = false;
    } else if (rest === "") {
      if (inBlock) {
        fail(line, "empty line inside a property block");
        break;
      }
    } else if (inBlock && rest.startsWith('"')) {
      const keyEnd = src.indexOf('" = ', art + 1);
      if (keyEnd < 0 || keyEnd > eol) {
        fail(line, "property line without '\" = '");
        break;
      }
      const key = binaryToText(src.slice(art + 1, keyEnd), stats);
      const reader = new IORegValueReader(src, keyEnd + 4);
      reader.stats = stats;
      let value = reader.readValue("");
      let end = reader.pos;
      if (reader.sawHex) sawHex = true;
      let verbatim = false;
      if (value === undefined) {
        value = binaryToText(src.slice(keyEnd + 4, eol), stats);
        end = eol;
        verbatim = true;
      }
      const entry = current as MutableSnapshotEntry;
      if (currentIsNew) {
        entry.properties.set(key, value);
        if (verbatim) (entry.verbatim ??= new Set()).add(key);
        else entry.verbatim?.delete(key);
      }
      lastKey = key;
      // The value may have run over several lines.
      for (let k = src.indexOf("\n", pos); k >= 0 && k < end; k = src.indexOf("\n", k + 1)) line++;
      pos = end + 1;
      continue;
    } else if (inBlock && lastKey !== undefined && current?.verbatim?.has(lastKey) && currentIsNew) {
      // Continuation of a value we could not read: keep it with the value.
      const prev = current.properties.get(lastKey) as string;
      current.properties.set(lastKey, `${prev}\n${binaryToText(src.slice(pos, eol), stats)}`);
    } else {
      fail(line, inBlock ? "unreadable property line" : "unrecognised line");
      break;
    }
    pos = eol + 1;
  }
  if (problem === undefined && inBlock) problem = { line, message: "input ends inside a property block" };
  if (problem !== undefined && options.strict) throw new IORegSyntaxError(problem.message, problem.line);

  if (rootIndex === undefined) rootIndex = makeSyntheticRoot(entries, byID);
  const planeName = options.plane ?? guessPlane(entries, rootIndex, pending);
  for (const e of entries) {
    const n = e.planeNames[""];
    if (n !== undefined) {
      delete e.planeNames[""];
      e.planeNames[planeName] = n;
    }
    const l = e.planeLocations[""];
    if (l !== undefined) {
      delete e.planeLocations[""];
      e.planeLocations[planeName] = l;
    }
  }
  for (const [parent, child, sec] of pending) {
    const kids = ((entries[parent] as MutableSnapshotEntry).children[sec || planeName] ??= []);
    if (!kids.includes(child)) kids.push(child);
  }
  // Root first: move it to index 0 if a synthetic root was appended.
  const ordered = moveRootFirst(entries, rootIndex);
  const planes = planesOf(ordered[0] as MutableSnapshotEntry, sections.length > 0 && sections[0] !== "" ? sections : [planeName]);
  const snapshot: IORegistrySnapshot = {
    planes,
    entries: ordered as IORegistrySnapshotEntry[],
    textStyle: {
      ...(style ?? { ids: true, retainCount: false, planeHeader }),
      ...(sawHex ? { hex: true } : {}),
      ...(stats.macRoman > 0 && stats.utf8 === 0 ? { macRoman: true } : {}),
      ...(sections.length > 1 ? { sections } : {}),
    },
    hasProperties,
  };
  return problem === undefined ? { snapshot } : { snapshot, problem };
}

function makeSyntheticRoot(entries: MutableSnapshotEntry[], byID: Map<bigint, number>): number {
  let id = ROOT_ENTRY_ID;
  while (byID.has(id)) id--;
  entries.push(standInRoot("", id));
  byID.set(id, entries.length - 1);
  return entries.length - 1;
}

function guessPlane(entries: MutableSnapshotEntry[], root: number, links: ReadonlyArray<[number, number, string]>): string {
  const first = links.find(([p]) => p === root);
  // The device tree's top node is "/" on Intel Macs and "device-tree" on Apple silicon.
  const top = first === undefined ? undefined : entries[first[1]]?.planeNames[""];
  if (top === "/" || top === "device-tree") return "IODeviceTree";
  return "IOService";
}

function planesOf(root: MutableSnapshotEntry, first: readonly string[]): string[] {
  const table = root.properties.get("IORegistryPlanes");
  const out = [...first];
  if (table instanceof Map) for (const k of table.keys()) if (!out.includes(k)) out.push(k);
  return out;
}
