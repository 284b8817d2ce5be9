/**
 * Writer for libkern's legacy text format, the inverse of {@link unserializeLegacy}: dictionaries
 * `{ "key" = value; }`, arrays `( a, b )`, sets `[ a, b ]`, quoted strings (a backslash before `"`
 * and `\`), sized numbers `value:bits`, data `<0123abcd>`, `.true.`/`.false.`. An object that occurs
 * more than once (by identity) is written `…@N` the first time and `@N` afterwards.
 */
import { kindOf, OSNumber, type OSValue } from "../../libkern/index.ts";

function quote(s: string): string {
  if (/[\\\0]/.test(s)) {
    throw new TypeError(`Cannot write ${JSON.stringify(s)} in legacy text format: it cannot hold a backslash or NUL`);
  }
  return `"${s.replace(/"/g, '\\"')}"`;
}

/**
 * Serializes `value` in the legacy `OSUnserialize` text format.
 * @throws {TypeError} for reals, dates, UIDs, integers wider than 64 bits, or a cycle.
 */
export function serializeLegacy(value: OSValue): string {
  // First pass: which objects (by identity) occur more than once.
  const seen = new Map<OSValue, number>();
  const walk: OSValue[] = [value];
  while (walk.length > 0) {
    const v = walk.pop() as OSValue;
    if (typeof v !== "object") continue;
    const n = seen.get(v) ?? 0;
    if (n >= 2) continue;
    seen.set(v, n + 1);
    if (Array.isArray(v)) walk.push(...v);
    else if (v instanceof Set) walk.push(...v);
    else if (v instanceof Map) walk.push(...v.values());
  }

  const ids = new Map<OSValue, number>();
  const open = new Set<OSValue>();
  const out: string[] = [];
  type Item = { v: OSValue } | { text: string } | { close: OSValue; text: string };
  const stack: Item[] = [{ v: value }];
  while (stack.length > 0) {
    const item = stack.pop() as Item;
    if ("close" in item) { out.push(item.text); open.delete(item.close); continue; }
    if ("text" in item) { out.push(item.text); continue; }
    const v = item.v;
    const id = ids.get(v);
    if (id !== undefined) { out.push(`@${id}`); continue; }
    if (open.has(v)) throw new TypeError("Cannot serialize a cycle in legacy text format");
    let suffix = "";
    if (typeof v === "object" && (seen.get(v) ?? 0) > 1) {
      const n = ids.size;
      ids.set(v, n);
      suffix = `@${n}`;
    }
    const kind = kindOf(v);
    switch (kind) {
      case "string": out.push(quote(v as string) + suffix); break;
      case "boolean": out.push(v ? ".true." : ".false."); break;
      case "integer": {
        const n = v as OSNumber;
        if (!Number.isInteger(n.bits) || n.bits < 1 || n.bits > 64) throw new TypeError(`Cannot serialize a ${n.bits}-bit integer: OSNumber holds at most 64 bits`);
        out.push(`${BigInt.asUintN(n.bits, n.value)}:${n.bits}${suffix}`);
        break;
      }
      case "data": out.push(`<${Array.from(v as Uint8Array, (b) => b.toString(16).padStart(2, "0")).join("")}>${suffix}`); break;
      case "dict": case "array": case "set": {
        const [o, c] = kind === "dict" ? ["{", "}"] : kind === "array" ? ["(", ")"] : ["[", "]"];
        open.add(v);
        const todo: Item[] = [{ text: `${o} ` }];
        if (v instanceof Map) {
          for (const [k, e] of v) todo.push({ text: `${quote(k)} = ` }, { v: e }, { text: "; " });
        } else {
          const members = Array.isArray(v) ? v : [...(v as Set<OSValue>)];
          members.forEach((e, i) => { if (i > 0) todo.push({ text: ", " }); todo.push({ v: e }); });
          if (members.length > 0) todo.push({ text: " " });
        }
        todo.push({ close: v, text: `${c}${suffix}` });
        for (let i = todo.length - 1; i >= 0; i--) stack.push(todo[i] as Item);
        break;
      }
      default:
        throw new TypeError(`Cannot serialize ${kind} in legacy text format`);
    }
  }
  return out.join("");
}
