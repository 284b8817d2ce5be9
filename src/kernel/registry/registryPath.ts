/**
 * Registry paths, both ways: `IOService:/AppleACPIPlatformExpert/PCI0@0/AppleACPIPCI`.
 *
 * A path is `<Plane>:` then `/`-joined components `name[@location]`, relative to the root's first
 * child in that plane (in the IOService plane, the platform expert device is `IOService:/`). The
 * root itself is `<Plane>:` with nothing after it. Looking up a component matches a child by name,
 * then, when the component has `@location`, by location compared numerically: fields separated by
 * `,` or `:` are read as hex and missing trailing fields count as 0 (`1f,3` equals `1F,3,0`);
 * locations that are not hex compare as strings.
 *
 * In the IODeviceTree plane a path may start with an alias (a property of `/aliases`, whose value
 * is a device-tree path), and `getPath` prefers the shortest alias that names the entry.
 */
import type { OSValue } from "../../libkern/index.ts";
import type { IORegistryEntry } from "./IORegistryEntry.ts";
import type { IORegistryPlane } from "./IORegistryPlane.ts";

/** Compares two locations numerically field by field (`,`/`:` separated hex, missing fields 0). */
export function compareLocations(a: string, b: string): boolean {
  if (a === b) return true;
  const fa = a.split(/[,:]/);
  const fb = b.split(/[,:]/);
  const n = Math.max(fa.length, fb.length);
  for (let i = 0; i < n; i++) {
    const x = fa[i] ?? "0";
    const y = fb[i] ?? "0";
    if (!HEX.test(x) || !HEX.test(y)) return false;
    if (BigInt(`0x${x}`) !== BigInt(`0x${y}`)) return false;
  }
  return true;
}
const HEX = /^[0-9a-fA-F]{1,16}$/;

/** The result of a path lookup that may stop early. */
export interface PathLookup {
  /** The deepest entry the path reached. */
  readonly entry: IORegistryEntry;
  /** What is left of the path after `entry` ("" when the whole path resolved). */
  readonly residual: string;
}

function childByComponent(parent: IORegistryEntry, plane: IORegistryPlane, component: string): IORegistryEntry | undefined {
  return childAt(parent, plane, component, 0, component.length);
}

/**
 * The child of `parent` named by `path[start, end)` (`name` or `name@location`). Compares in
 * place, without slicing, because path lookups are hot.
 */
function childAt(parent: IORegistryEntry, plane: IORegistryPlane, path: string, start: number, end: number): IORegistryEntry | undefined {
  let at = path.indexOf("@", start);
  if (at < 0 || at > end) at = -1;
  const nameEnd = at < 0 ? end : at;
  const nameLength = nameEnd - start;
  let location: string | undefined;
  const candidates = parent.childrenAt(plane.index).length < 8 ? parent.childrenAt(plane.index) : parent.childrenNamed(plane.index, plane, path.slice(start, nameEnd));
  for (const child of candidates) {
    const name = child.getName(plane);
    if (name.length !== nameLength || !path.startsWith(name, start)) continue;
    if (at < 0) return child;
    const l = child.getLocation(plane);
    if (l === undefined) continue;
    if (l.length === end - at - 1 && path.startsWith(l, at + 1)) return child;
    location ??= path.slice(at + 1, end);
    if (compareLocations(l, location)) return child;
  }
  return undefined;
}

/** Walks `rest` (components separated by `/`) down from `start`. */
export function walkPath(start: IORegistryEntry, plane: IORegistryPlane, rest: string): PathLookup {
  let entry = start;
  let pos = 0;
  const n = rest.length;
  while (pos < n) {
    if (rest.charCodeAt(pos) === 47 /* / */) {
      pos++;
      continue;
    }
    let end = rest.indexOf("/", pos);
    if (end < 0) end = n;
    const child = childAt(entry, plane, rest, pos, end);
    if (child === undefined) return { entry, residual: rest.slice(pos) };
    entry = child;
    pos = end;
  }
  return { entry, residual: "" };
}

/** A device-tree alias value as a path: a string, or NUL-terminated data. */
export function aliasTarget(value: OSValue | undefined): string | undefined {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) {
    let end = value.indexOf(0);
    if (end < 0) end = value.length;
    let s = "";
    for (let i = 0; i < end; i++) s += String.fromCharCode(value[i] as number);
    return s;
  }
  return undefined;
}

/** The `/aliases` node of the device tree, if any. */
export function aliasesEntry(root: IORegistryEntry, plane: IORegistryPlane): IORegistryEntry | undefined {
  const top = root.childrenAt(plane.index)[0];
  return top === undefined ? undefined : childByComponent(top, plane, "aliases");
}

/**
 * Builds the path of `entry` in `plane`, without aliases. Undefined when the entry is not in the
 * plane. Loops in a corrupt topology are cut by a depth bound.
 */
export function plainPath(root: IORegistryEntry, entry: IORegistryEntry, plane: IORegistryPlane): string | undefined {
  if (entry === root) return `${plane.name}:`;
  const components: string[] = [];
  let e: IORegistryEntry | undefined = entry;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const parent: IORegistryEntry | undefined = e.parentsAt(plane.index)[0];
    if (parent === undefined) return undefined; // not connected to the root
    if (parent === root) break;
    const loc = e.getLocation(plane);
    components.push(loc === undefined ? e.getName(plane) : `${e.getName(plane)}@${loc}`);
    e = parent;
  }
  components.reverse();
  return `${plane.name}:/${components.join("/")}`;
}
