/**
 * plutil's key paths: key-value-coding paths (`IOKitPersonalities.Foo.IOClass`), where a numeric
 * component applied to an array is an index, and, as the last component of an insertion, the
 * position to insert at. Intermediate containers are never created. Errors are one-line
 * {@link KeyPathError}s in plutil's words.
 */
import { type OSValue } from "../../libkern/index.ts";

export class KeyPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyPathError";
  }
}

/** Splits a key path; the empty path names the root. */
export function splitKeyPath(path: string): string[] {
  return path === "" ? [] : path.split(".");
}

function index(component: string, length: number, allowEnd: boolean): number | undefined {
  if (!/^\d+$/.test(component)) return undefined;
  const i = Number(component);
  return i < length || (allowEnd && i === length) ? i : undefined;
}

function child(container: OSValue, component: string): OSValue | undefined {
  if (container instanceof Map) return container.get(component);
  if (Array.isArray(container)) {
    const i = index(component, container.length, false);
    return i === undefined ? undefined : container[i];
  }
  return undefined;
}

/** The value at a key path, or undefined. */
export function getAtKeyPath(root: OSValue, path: string): OSValue | undefined {
  let v: OSValue | undefined = root;
  for (const c of splitKeyPath(path)) {
    if (v === undefined) return undefined;
    v = child(v, c);
  }
  return v;
}

function parentOf(root: OSValue, path: string): { parent: OSValue; last: string } {
  const parts = splitKeyPath(path);
  const last = parts.pop();
  if (last === undefined) throw new KeyPathError("Key path must not be empty");
  const parent = getAtKeyPath(root, parts.join("."));
  if (parent === undefined || !(parent instanceof Map || Array.isArray(parent))) {
    throw new KeyPathError(`No value at that key path or invalid key path: ${parts.join(".")}`);
  }
  return { parent, last };
}

/** How {@link setAtKeyPath} treats an existing value. */
export type SetMode = "insert" | "replace" | "append";

/** Inserts, replaces or appends a value at a key path, in place. */
export function setAtKeyPath(root: OSValue, path: string, value: OSValue, mode: SetMode): void {
  if (mode === "append") {
    const target = getAtKeyPath(root, path);
    if (!Array.isArray(target)) throw new KeyPathError(`Value at key path ${path} is not an array`);
    target.push(value);
    return;
  }
  const { parent, last } = parentOf(root, path);
  if (parent instanceof Map) {
    if (mode === "insert" && parent.has(last)) throw new KeyPathError(`Value already exists at key path ${path}`);
    parent.set(last, value);
    return;
  }
  const list = parent as OSValue[];
  const i = index(last, list.length, true);
  if (i === undefined) throw new KeyPathError(`Invalid array index at key path ${path}`);
  if (mode === "insert") list.splice(i, 0, value);
  else list[i] = value;
}

/** Removes the value at a key path, in place. */
export function removeAtKeyPath(root: OSValue, path: string): void {
  const { parent, last } = parentOf(root, path);
  if (parent instanceof Map) {
    if (!parent.delete(last)) throw new KeyPathError(`No value to remove at key path ${path}`);
    return;
  }
  const list = parent as OSValue[];
  const i = index(last, list.length, false);
  if (i === undefined) throw new KeyPathError(`No value to remove at key path ${path}`);
  list.splice(i, 1);
}
