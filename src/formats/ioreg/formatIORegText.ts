/**
 * `ioreg`'s text output for a registry snapshot, byte for byte: the depth-first listing from Root
 * with tree art, node lines, property blocks (`-l`, or for nodes matching `-c`/`-k`/`-n`), subtree
 * search (`-r`, with `-t` for the ancestor chain), depth limit (`-d`), width clipping (`-w`), hex
 * (`-x`) and inheritance (`-i`).
 *
 * Tree art follows ioreg's bit stack: bit n set means depth n still has siblings to come, bit n+1
 * means the node at depth n has children shown. A node line is indented with `| ` or two spaces
 * per ancestor depth and then `+-o `; property lines with the bits for depths 0..n+1. The "blank"
 * line after `}` carries that indent too.
 *
 * All walks use explicit stacks: an imported dump can be arbitrarily deep. Output is a byte string
 * (see formatIORegValue).
 */
import {
  MODERN_TEXT_STYLE, snapshotChildren, snapshotLocation, snapshotName,
  type IORegTextStyle, type IORegistrySnapshot, type IORegistrySnapshotEntry,
} from "./IORegistrySnapshot.ts";
import { formatIORegValue } from "./formatIORegValue.ts";
import { textToBinary } from "./parseIORegValue.ts";
import { IORegPrinter } from "./IORegPrinter.ts";
import { formatSmartProperty, type SmartContext } from "./formatIORegSmart.ts";

/** The ioreg options that shape text output. */
export interface IORegFormatOptions {
  /** `-p`: the plane; default IOService. */
  readonly plane?: string;
  /** `-l`: properties of every node. */
  readonly list?: boolean;
  /** `-d`: depth limit, 0 for none. */
  readonly depth?: number;
  /** `-c`: class to match. */
  readonly className?: string;
  /** `-k`: property key to match. */
  readonly key?: string;
  /** `-n`: name (or name@location) to match. */
  readonly name?: string;
  /** `-r`: show subtrees rooted at matches. */
  readonly root?: boolean;
  /** `-t`: with -r, show the ancestors of each match. */
  readonly tree?: boolean;
  /** `-w`: clip lines to this width (bytes); 0 for none. */
  readonly width?: number;
  /** `-x`: hex numbers and data. */
  readonly hex?: boolean;
  /** `-i`: show the class inheritance. */
  readonly inheritance?: boolean;
  /** `-y`: do not consult `IOUserClasses` for -c. */
  readonly noUserClasses?: boolean;
  /** `-f`: smart formatting of device-tree properties (reg, ranges, interrupts, …, hex dumps). */
  readonly format?: boolean;
  /** Receives ioreg's non-fatal error messages (`-f` lookups that fail), without the `ioreg: error:` prefix. */
  readonly onError?: (message: string) => void;
  /** `-b`: terminal sequences around names (empty strings when no terminal). */
  readonly bold?: { readonly on: string; readonly off: string };
  /** Node-line style; default modern. */
  readonly style?: IORegTextStyle;
}

/** True when `entry` is, or derives from, `className`, as far as the snapshot knows. */
export function snapshotConformsTo(entry: IORegistrySnapshotEntry, className: string): boolean {
  if (entry.className === className || entry.superclasses?.includes(className)) return true;
  if (className === "IORegistryEntry" || className === "OSObject") return true;
  return className === "IOService" && entry.service !== undefined;
}

/** ioreg's `compare()`: does the entry match -c/-k/-n (all given criteria, at least one given)? */
export function ioregMatches(entry: IORegistrySnapshotEntry, plane: string, o: IORegFormatOptions): boolean {
  let match = false;
  if (o.className !== undefined) {
    const userClasses = o.noUserClasses ? undefined : entry.properties.get("IOUserClasses");
    const conforms = Array.isArray(userClasses) ? userClasses.includes(o.className) : snapshotConformsTo(entry, o.className);
    if (!conforms) return false;
    match = true;
  }
  if (o.key !== undefined) {
    if (!entry.properties.has(o.key)) return false;
    match = true;
  }
  if (o.name !== undefined) {
    let n = snapshotName(entry, plane);
    if (o.name.includes("@")) n += `@${snapshotLocation(entry, plane) ?? ""}`;
    if (n !== o.name) return false;
    match = true;
  }
  return match;
}

/** The class text of a node line: the class, or with -i the chain `Super:…:Class`. */
function classText(e: IORegistrySnapshotEntry, inheritance: boolean): string {
  if (!inheritance || e.superclasses === undefined) return e.className;
  return [...e.superclasses].reverse().filter((c) => c !== "OSObject").concat(e.className).join(":");
}

/** Renders a snapshot as `ioreg` text. Returns a byte string. */
export function formatIORegText(snapshot: IORegistrySnapshot, options: IORegFormatOptions = {}): string {
  const plane = options.plane ?? "IOService";
  const style = options.style ?? MODERN_TEXT_STYLE;
  const entries = snapshot.entries;
  const p = new IORegPrinter(options.width ?? 0);
  const smart: SmartContext | undefined = options.format ? { snapshot, printer: p, width: options.width ?? 0, warn: options.onError ?? (() => {}) } : undefined;
  const bold = options.bold ?? { on: "", off: "" };
  const list = options.list === true;
  const mr = style.macRoman === true;
  const hex = { hex: options.hex === true, macRoman: mr };

  const indent = (isNode: boolean, depth: number, bits: Uint8Array): string => {
    let s = "";
    const n = isNode ? depth : depth + 2;
    for (let i = 0; i < n; i++) s += bits[i] ? "| " : "  ";
    return isNode ? `${s}+-o ` : s;
  };

  const show = (index: number, depth: number, bits: Uint8Array): void => {
    const e = entries[index] as IORegistrySnapshotEntry;
    p.print(indent(true, depth, bits));
    if (bold.on !== "") p.printRaw(bold.on);
    p.print(textToBinary(snapshotName(e, plane), mr));
    if (bold.off !== "") p.printRaw(bold.off);
    let text = "";
    const loc = snapshotLocation(e, plane);
    if (loc !== undefined) text += `@${textToBinary(loc, mr)}`;
    text += `  <class ${classText(e, options.inheritance === true)}`;
    if (style.ids) text += `, id 0x${e.id.toString(16)}`;
    const s = e.service;
    if (s !== undefined) {
      text += `, ${s.state & 0x2 ? "" : "!"}registered, ${s.state & 0x4 ? "" : "!"}matched, ${s.state & 0x1 ? "in" : ""}active, busy ${s.busy}`;
      if (s.busyTimeNs !== 0n) text += ` (${s.busyTimeNs / 1_000_000n} ms)`;
    }
    text += style.retainCount ? `, retain count ${e.retain}>` : `, retain ${e.retain}>`;
    p.println(text);
    if (list || ioregMatches(e, plane, options)) {
      const pad = indent(false, depth, bits);
      p.println(`${pad}{`);
      for (const [k, v] of e.properties) {
        p.print(`${pad}  "${textToBinary(k, mr)}" = `);
        if (e.verbatim?.has(k)) p.println(textToBinary(v as string, mr));
        else if (smart !== undefined) formatSmartProperty(smart, index, depth, pad, k, v, hex);
        else p.println(formatIORegValue(v, hex));
      }
      p.println(`${pad}}`);
      p.println(pad);
    }
  };

  const maxBits = (): Uint8Array => new Uint8Array(entries.length + 3);

  /** ioreg's scan(): the subtree at `start`, tree art from `bits`, honouring `limit`. */
  const scan = (start: number, startDepth: number, bits: Uint8Array, limit: number): void => {
    const stack: Array<[number, number, boolean]> = [[start, startDepth, false]];
    while (stack.length > 0) {
      const [index, depth, more] = stack.pop() as [number, number, boolean];
      if (depth > entries.length) continue; // a cycle in a malformed snapshot
      const kids = snapshotChildren(entries[index] as IORegistrySnapshotEntry, plane);
      const descend = limit === 0 || limit > depth + 1;
      bits[depth] = more ? 1 : 0;
      bits[depth + 1] = descend && kids.length > 0 ? 1 : 0;
      show(index, depth, bits);
      if (descend) for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i] as number, depth + 1, i < kids.length - 1]);
    }
  };

  const limit = options.depth ?? 0;
  if (entries.length === 0) return "";
  if (!options.root) {
    scan(0, 0, maxBits(), limit);
    return p.text();
  }
  // ioreg's search(): pre-order over the plane; a match prints its subtree, then a blank line.
  const ancestors: number[] = [];
  const stack: Array<[number, number, number]> = [[0, 0, 0]]; // index, depth, matchedDepth
  while (stack.length > 0) {
    const [index, depth, matchedBefore] = stack.pop() as [number, number, number];
    if (depth > entries.length) continue;
    let matched = matchedBefore;
    const e = entries[index] as IORegistrySnapshotEntry;
    if (matched < depth + 1 && ioregMatches(e, plane, options)) {
      matched = limit ? depth + limit : Number.MAX_SAFE_INTEGER;
      if (options.tree) {
        for (let i = 0; i < depth; i++) {
          const b = maxBits();
          b[i + 1] = 1;
          show(ancestors[i] as number, i, b);
        }
        scan(index, depth, maxBits(), limit ? limit + depth : 0);
      } else scan(index, 0, maxBits(), limit);
      p.println("");
    }
    ancestors.length = depth;
    ancestors.push(index);
    const kids = snapshotChildren(e, plane);
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i] as number, depth + 1, matched]);
  }
  return p.text();
}
