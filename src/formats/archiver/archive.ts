/**
 * Writing NSKeyedArchiver archives: the inverse of {@link unarchive}, producing the property-list
 * value (`$version`, `$archiver`, `$top`, `$objects`) that a binary-plist writer turns into bytes.
 *
 * Strings are stored once and referred to by UID; numbers, booleans and data are stored as
 * themselves; arrays, sets, dictionaries and dates become NSArray, NSSet, NSDictionary and NSDate
 * objects. A dictionary holding a `$classname` string is archived as an object of that class: its
 * other entries become fields (numbers and booleans inline, everything else by UID), and
 * `$classes` (an array of strings) may give the class chain. Shared objects (by identity) are
 * archived once. The walk uses an explicit stack; cycles are refused.
 */
import { OSDate, OSNumber, OSReal, OSUID, kindOf, type OSDictionary, type OSValue } from "../../libkern/index.ts";

const FOUNDATION: Record<string, string[]> = {
  NSArray: ["NSArray", "NSObject"],
  NSSet: ["NSSet", "NSObject"],
  NSDictionary: ["NSDictionary", "NSObject"],
  NSDate: ["NSDate", "NSObject"],
};

/** Archives `value` with NSKeyedArchiver's layout; the result is a property-list dictionary. */
export function archive(value: OSValue): OSDictionary {
  const objects: OSValue[] = ["$null"];
  const ids = new Map<unknown, number>();
  const classes = new Map<string, number>();

  const classRef = (name: string, chain?: readonly string[]): OSUID => {
    let i = classes.get(name);
    if (i === undefined) {
      i = objects.length;
      objects.push(new Map<string, OSValue>([["$classes", [...(chain ?? FOUNDATION[name] ?? [name, "NSObject"])]], ["$classname", name]]));
      classes.set(name, i);
    }
    return new OSUID(i);
  };

  const open = new Set<OSValue>();
  // Each task fills the slot of one object once its members have UIDs.
  type Task = { v: OSValue; slot: number; phase: "enter" | "exit" };
  const ref = (v: OSValue, tasks: Task[]): OSUID => {
    const key = typeof v === "string" ? `s:${v}` : v;
    const known = ids.get(key);
    if (known !== undefined) {
      if (open.has(v)) throw new TypeError("Cannot archive a cycle");
      return new OSUID(known);
    }
    const slot = objects.length;
    objects.push("$null");
    ids.set(key, slot);
    tasks.push({ v, slot, phase: "enter" });
    return new OSUID(slot);
  };

  const pending: Task[] = [];
  const rootRef = ref(value, pending);
  while (pending.length > 0) {
    const task = pending.pop() as Task;
    const { v, slot } = task;
    const kind = kindOf(v);
    if (kind === "uid") throw new TypeError("Cannot archive a CF$UID value");
    if (kind !== "array" && kind !== "set" && kind !== "dict") {
      objects[slot] = kind === "date"
        ? new Map<string, OSValue>([["NS.time", new OSReal((v as OSDate).absoluteTime)], ["$class", classRef("NSDate")]])
        : v;
      continue;
    }
    if (task.phase === "exit") { open.delete(v); continue; }
    open.add(v);
    const children: Task[] = [];
    pending.push({ v, slot, phase: "exit" });
    if (kind === "array" || kind === "set") {
      const members = kind === "array" ? (v as OSValue[]) : [...(v as Set<OSValue>)];
      objects[slot] = new Map<string, OSValue>([
        ["NS.objects", members.map((m) => ref(m, children))],
        ["$class", classRef(kind === "array" ? "NSArray" : "NSSet")],
      ]);
    } else {
      const d = v as OSDictionary;
      const custom = d.get("$classname");
      if (typeof custom === "string") {
        const chain = d.get("$classes");
        const fields: OSDictionary = new Map();
        for (const [k, f] of d) {
          if (k === "$classname" || k === "$classes") continue;
          fields.set(k, f instanceof OSNumber || f instanceof OSReal || typeof f === "boolean" ? f : ref(f, children));
        }
        fields.set("$class", classRef(custom, Array.isArray(chain) ? chain.filter((c): c is string => typeof c === "string") : undefined));
        objects[slot] = fields;
      } else {
        const keys = [...d.keys()].map((k) => ref(k, children));
        const vals = [...d.values()].map((m) => ref(m, children));
        objects[slot] = new Map<string, OSValue>([["NS.keys", keys], ["NS.objects", vals], ["$class", classRef("NSDictionary")]]);
      }
    }
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i] as Task);
  }

  return new Map<string, OSValue>([
    ["$version", new OSNumber(100000)],
    ["$archiver", "NSKeyedArchiver"],
    ["$top", new Map([["root", rootRef]])],
    ["$objects", objects],
  ]);
}
