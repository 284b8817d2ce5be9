/**
 * Reading NSKeyedArchiver object graphs (`$archiver` / `$top` / `$objects`) stored in property
 * lists.
 *
 * An archive flattens an object graph into the `$objects` array: index 0 is the string `$null`
 * (nil), every other object sits at one index, and references between objects are `CF$UID`
 * values ({@link OSUID}) naming indexes. An object that is not a plain property-list value is a
 * dictionary whose `$class` refers to a class description `{ $classname, $classes }`. Foundation's
 * collections store their members as arrays of UIDs.
 *
 * {@link KeyedArchive} gives raw access (class names, fields with their UIDs unresolved), which a
 * caller needs to walk graphs with cycles, such as IORegistryExplorer documents whose entries
 * point at both parents and children. {@link KeyedArchive.decode} turns a reference into plain
 * values:
 *
 * | archived class | becomes |
 * |---|---|
 * | NSDictionary, NSMutableDictionary (`NS.keys`, `NS.objects`) | `Map` (keys must decode to strings) |
 * | NSArray, NSMutableArray, NSOrderedSet (`NS.objects`) | array |
 * | NSSet, NSMutableSet (`NS.objects`) | `Set` |
 * | NSString, NSMutableString (`NS.string`) | string |
 * | NSData, NSMutableData (`NS.data`, or `NS.bytes`) | `Uint8Array` |
 * | NSDate (`NS.time`) | {@link OSDate} |
 * | NSUUID (`NS.uuidbytes`) | `Uint8Array` |
 * | strings, numbers, booleans, data stored inline | themselves |
 * | any other class | `Map` of its decoded fields plus `$classname` |
 * | `$null` | omitted from an archived object's fields; an error inside collections |
 *
 * Decoding is iterative (an explicit stack), decodes each object once (shared objects stay
 * shared) and raises {@link KeyedArchiveError} on a cycle, a reference out of range, or a
 * malformed collection. Its work is bounded by the size of `$objects`.
 */
import { OSDate, OSReal, OSUID, kindOf, type OSDictionary, type OSValue } from "../../libkern/index.ts";
import { KeyedArchiveError } from "./KeyedArchiveError.ts";

const NULL_INDEX = 0;
/** Marks "nil" while decoding; never escapes into results. */
const NIL: unique symbol = Symbol("$null");
type Decoded = OSValue | typeof NIL;

const isDict = (v: unknown): v is OSDictionary => v instanceof Map;

/** Raw access to an NSKeyedArchiver archive held in a property-list value. */
export class KeyedArchive {
  /** The archive's `$objects`. */
  readonly objects: readonly OSValue[];
  /** The archive's `$top` dictionary (values are usually UIDs). */
  readonly top: OSDictionary;
  readonly #memo = new Map<number, Decoded>();

  /** @throws {KeyedArchiveError} when `plist` is not a keyed archive. */
  constructor(plist: OSValue) {
    if (!isDict(plist)) throw new KeyedArchiveError("Not a keyed archive: the top level is not a dictionary", -1);
    const archiver = plist.get("$archiver");
    if (typeof archiver !== "string") throw new KeyedArchiveError("Not a keyed archive: no $archiver string", -1);
    const objects = plist.get("$objects");
    const top = plist.get("$top");
    if (!Array.isArray(objects)) throw new KeyedArchiveError("Keyed archive has no $objects array", -1);
    if (!isDict(top)) throw new KeyedArchiveError("Keyed archive has no $top dictionary", -1);
    this.objects = objects;
    this.top = top;
  }

  /** The object at `index`, checked. */
  object(index: number): OSValue {
    if (!Number.isInteger(index) || index < 0 || index >= this.objects.length) {
      throw new KeyedArchiveError(`Reference CF$UID ${index} is outside $objects (${this.objects.length} objects)`, index);
    }
    return this.objects[index] as OSValue;
  }

  /** Follows a UID (other values are returned as they are). */
  resolve(v: OSValue): OSValue {
    return v instanceof OSUID ? this.object(v.value) : v;
  }

  /** The `$classname` of an archived object, or undefined for plain values. */
  className(v: OSValue): string | undefined {
    const o = this.resolve(v);
    if (!isDict(o)) return undefined;
    const cls = o.get("$class");
    if (cls === undefined) return undefined;
    if (!(cls instanceof OSUID)) throw new KeyedArchiveError("$class is not a CF$UID", v instanceof OSUID ? v.value : -1);
    const desc = this.object(cls.value);
    const name = isDict(desc) ? desc.get("$classname") : undefined;
    if (typeof name !== "string") throw new KeyedArchiveError("Class description has no $classname", cls.value);
    return name;
  }

  /** True when `v` is nil (`CF$UID` 0 or the `$null` string object). */
  isNil(v: OSValue | undefined): boolean {
    return v === undefined || (v instanceof OSUID && v.value === NULL_INDEX);
  }

  /** The raw fields of an archived object (UIDs unresolved), without `$class`. */
  fields(v: OSValue): OSDictionary {
    const o = this.resolve(v);
    if (!isDict(o) || !o.has("$class")) throw new KeyedArchiveError("Expected an archived object with a $class", v instanceof OSUID ? v.value : -1);
    const out: OSDictionary = new Map(o);
    out.delete("$class");
    return out;
  }

  /**
   * Decodes a value or reference into plain values (see the table above).
   * @throws {KeyedArchiveError} on nil at the top, a cycle, a bad reference or a malformed object.
   */
  decode(v: OSValue): OSValue {
    const r = this.#decode(v);
    if (r === NIL) throw new KeyedArchiveError("The value is nil ($null)", NULL_INDEX);
    return r;
  }

  #decode(root: OSValue): Decoded {
    if (!(root instanceof OSUID)) return this.#inline(root, -1);
    // Post-order walk: an object is built once all the references it holds are decoded.
    const inProgress = new Set<number>();
    const stack: number[] = [root.value];
    while (stack.length > 0) {
      const index = stack[stack.length - 1] as number;
      if (this.#memo.has(index)) { stack.pop(); continue; }
      const pending = this.#references(index).filter((i) => !this.#memo.has(i));
      if (pending.length === 0) {
        this.#memo.set(index, this.#build(index));
        inProgress.delete(index);
        stack.pop();
        continue;
      }
      if (inProgress.has(index)) {
        throw new KeyedArchiveError(`Cannot decode a cycle: object ${index} refers back to itself through object ${pending[0]}`, index);
      }
      inProgress.add(index);
      for (const i of pending) {
        if (inProgress.has(i)) throw new KeyedArchiveError(`Cannot decode a cycle through object ${i}`, index);
        stack.push(i);
      }
    }
    return this.#memo.get(root.value) as Decoded;
  }

  /** Indexes an object refers to (class descriptions excluded). */
  #references(index: number): number[] {
    const o = this.object(index);
    if (index === NULL_INDEX || !isDict(o) || !o.has("$class")) return [];
    const out: number[] = [];
    const add = (v: OSValue | undefined): void => {
      if (v instanceof OSUID) { this.object(v.value); out.push(v.value); }
      else if (Array.isArray(v)) for (const e of v) add(e);
    };
    for (const [k, v] of o) if (k !== "$class") add(v);
    return out;
  }

  #value(v: OSValue, at: number): Decoded {
    if (v instanceof OSUID) return this.#memo.get(v.value) as Decoded;
    return this.#inline(v, at);
  }

  /** A value stored inline (not through a UID). */
  #inline(v: OSValue, at: number): Decoded {
    if (isDict(v) && v.has("$class")) throw new KeyedArchiveError("Archived object stored inline instead of by reference", at);
    return v;
  }

  #members(o: OSDictionary, key: string, index: number): OSValue[] {
    const list = o.get(key) ?? [];
    if (!Array.isArray(list)) throw new KeyedArchiveError(`${key} is not an array`, index);
    return list.map((e, i) => {
      const d = this.#value(e, index);
      if (d === NIL) throw new KeyedArchiveError(`${key}[${i}] is nil`, index);
      return d;
    });
  }

  #build(index: number): Decoded {
    const o = this.object(index);
    if (index === NULL_INDEX) return NIL;
    if (!isDict(o) || !o.has("$class")) return o;
    const cls = this.className(new OSUID(index)) as string;
    switch (cls) {
      case "NSDictionary": case "NSMutableDictionary": {
        const keys = this.#members(o, "NS.keys", index);
        const values = this.#members(o, "NS.objects", index);
        if (keys.length !== values.length) throw new KeyedArchiveError(`${cls} has ${keys.length} keys but ${values.length} objects`, index);
        const out: OSDictionary = new Map();
        keys.forEach((k, i) => {
          if (typeof k !== "string") throw new KeyedArchiveError(`${cls} key ${i} is a ${kindOf(k)}, not a string`, index);
          out.set(k, values[i] as OSValue);
        });
        return out;
      }
      case "NSArray": case "NSMutableArray": case "NSOrderedSet": case "NSMutableOrderedSet":
        return this.#members(o, "NS.objects", index);
      case "NSSet": case "NSMutableSet":
        return new Set(this.#members(o, "NS.objects", index));
      case "NSString": case "NSMutableString": {
        const s = this.#value(o.get("NS.string") ?? "", index);
        if (typeof s !== "string") throw new KeyedArchiveError(`${cls} has no NS.string`, index);
        return s;
      }
      case "NSData": case "NSMutableData": {
        const d = this.#value(o.get("NS.data") ?? o.get("NS.bytes") ?? new Uint8Array(0), index);
        if (!(d instanceof Uint8Array)) throw new KeyedArchiveError(`${cls} has no NS.data`, index);
        return d;
      }
      case "NSDate": {
        const t = o.get("NS.time");
        if (!(t instanceof OSReal) && !(t !== undefined && kindOf(t) === "integer")) throw new KeyedArchiveError("NSDate has no NS.time", index);
        return new OSDate(t instanceof OSReal ? t.value : Number((t as { value: bigint }).value));
      }
      case "NSUUID": {
        const b = o.get("NS.uuidbytes");
        if (!(b instanceof Uint8Array)) throw new KeyedArchiveError("NSUUID has no NS.uuidbytes", index);
        return b;
      }
      default: {
        const out: OSDictionary = new Map([["$classname", cls]]);
        for (const [k, v] of o) {
          if (k === "$class") continue;
          const d = Array.isArray(v) ? this.#members(o, k, index) : this.#value(v, index);
          if (d !== NIL) out.set(k, d);
        }
        return out;
      }
    }
  }
}

/**
 * Turns an NSKeyedArchiver archive into plain values: the decoded `$top.root` when the archive has
 * a `root`, else a dictionary of every decoded `$top` entry.
 * @throws {KeyedArchiveError} on a malformed archive or a cycle (use {@link KeyedArchive} to walk
 *   cyclic graphs by hand).
 */
export function unarchive(root: OSValue): OSValue {
  const archive = new KeyedArchive(root);
  const top = archive.top.get("root");
  if (top !== undefined) return archive.decode(top);
  const out: OSDictionary = new Map();
  for (const [k, v] of archive.top) if (!archive.isNil(v)) out.set(k, archive.decode(v));
  return out;
}
