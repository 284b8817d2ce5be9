/**
 * Writers for the I/O Kit XML dialect in its two flavours.
 *
 * Kernel (`OSSerialize`): every object except booleans is registered the first time it is
 * written and its start tag carries `ID="n"`, n counting from 0 in order of first appearance
 * (containers before their members); writing the same object again produces
 * `<reference IDREF="n"/>`. Integers are `<integer size="bits" ID="n">0x…</integer>` in lowercase
 * hex (the kernel's `0x%lx%08lx` for values above 32 bits prints the same digits), dictionary keys
 * are `<key>` without IDs, and there is no `<plist>` wrapper and no white space.
 *
 * User space (`IOCFSerialize`): a first pass counts how often each value occurs (dictionary keys
 * are not counted); only values met more than once get `ID="n"`, numbered in order of first
 * emission, and later occurrences are written `<tag IDREF="n"/>` with the value's own tag. The ID
 * comes before other attributes: `<integer ID="0" size="32">`. The number's width gives `size`
 * (8, 16, 32, else 64); the value is printed as 64-bit unsigned hex, as LP64 `%lx` does.
 *
 * Identity. Both serializers recognise repeats by object identity. JavaScript strings have none,
 * so: the kernel flavour writes every string in full (a kernel OSString is its own object);
 * // Divergence from XNU: a string shared by pointer in the kernel is written twice here.
 * the user-space flavour treats equal strings, and equal integers of equal width, as one value,
 * which is what CF's uniqued strings and tagged-pointer numbers give IOCFSerialize in practice.
 *
 * Both writers walk with an explicit stack and refuse cycles.
 */
import { kindOf, OSNumber, OSReal, type OSValue } from "../../libkern/index.ts";
import { encodeBase64, escapeXML } from "../plist/index.ts";

type Flavour = "kernel" | "iocf";

const TAGS: Partial<Record<ReturnType<typeof kindOf>, string>> = {
  string: "string", integer: "integer", data: "data", dict: "dict", array: "array", set: "set",
};

/** The identity a serializer uses to spot repeats of `v`. */
function identity(v: OSValue, flavour: Flavour): unknown {
  if (typeof v === "string") return flavour === "iocf" ? `s:${v}` : undefined;
  if (v instanceof OSNumber && flavour === "iocf") return `n:${numberSize(v)}:${BigInt.asUintN(64, v.value)}`;
  if (typeof v === "boolean") return undefined;
  return v;
}

function numberSize(n: OSNumber): number {
  return n.bits === 8 || n.bits === 16 || n.bits === 32 ? n.bits : 64;
}

function children(v: OSValue): OSValue[] {
  if (Array.isArray(v)) return v;
  if (v instanceof Set) return [...v];
  if (v instanceof Map) return [...v.values()];
  return [];
}

/**
 * Counts occurrences per identity, as IOCFSerialize's first pass does: that pass walks a shared
 * container again each time it meets it, so its members count once per path. Only "once" versus
 * "more than once" matters, so counts stop at 2 and a value is re-walked only when its count rises;
 * that keeps the pass linear even on graphs built with many references.
 */
function countOccurrences(root: OSValue, flavour: Flavour): Map<unknown, number> {
  const counts = new Map<unknown, number>();
  const stack: OSValue[] = [root];
  while (stack.length > 0) {
    const v = stack.pop() as OSValue;
    const key = identity(v, flavour);
    if (key === undefined) continue;
    const n = counts.get(key) ?? 0;
    if (n >= 2) continue;
    counts.set(key, n + 1);
    stack.push(...children(v));
  }
  return counts;
}

function integerText(n: OSNumber, flavour: Flavour): { size: number; hex: string } {
  if (flavour === "kernel") {
    if (!Number.isInteger(n.bits) || n.bits < 1 || n.bits > 64) {
      throw new TypeError(`Cannot serialize a ${n.bits}-bit integer as kernel XML: OSNumber holds at most 64 bits`);
    }
    return { size: n.bits, hex: BigInt.asUintN(n.bits, n.value).toString(16) };
  }
  if (n.value < -(2n ** 63n) || n.value >= 2n ** 64n) {
    throw new TypeError(`Cannot serialize ${n.value} as IOCF XML: CFNumber values are at most 64 bits`);
  }
  return { size: numberSize(n), hex: BigInt.asUintN(64, n.value).toString(16) };
}

function serialize(root: OSValue, flavour: Flavour): string {
  const counts = flavour === "iocf" ? countOccurrences(root, flavour) : undefined;
  const ids = new Map<unknown, number>();
  let nextId = 0;
  const out: string[] = [];
  const open = new Set<unknown>();
  type Item = { v: OSValue; path: string } | { close: string; v: OSValue } | { text: string };
  const stack: Item[] = [{ v: root, path: "" }];

  while (stack.length > 0) {
    const item = stack.pop() as Item;
    if ("text" in item) { out.push(item.text); continue; }
    if ("close" in item) { out.push(`</${item.close}>`); open.delete(item.v); continue; }
    let { v } = item;
    const { path } = item;
    if (v instanceof OSReal && flavour === "iocf") {
      // IOCFSerialize fetches every number as a long long; a lossy conversion fails the write.
      if (!Number.isInteger(v.value) || Math.abs(v.value) > 2 ** 63) {
        throw new TypeError(`Cannot serialize real ${v.value}${at(path)} as IOCF XML: only integral values convert`);
      }
      v = new OSNumber(BigInt(v.value), 64);
    }
    const kind = kindOf(v);
    if (kind === "boolean") { out.push(v ? "<true/>" : "<false/>"); continue; }
    const tag = TAGS[kind];
    if (tag === undefined) throw new TypeError(`Cannot serialize ${kind}${at(path)} as I/O Kit XML`);
    if (open.has(v)) throw new TypeError(`Cannot serialize a cycle${at(path)}`);

    const key = identity(v, flavour);
    const seen = key === undefined ? undefined : ids.get(key);
    if (seen !== undefined) {
      out.push(flavour === "kernel" ? `<reference IDREF="${seen}"/>` : `<${tag} IDREF="${seen}"/>`);
      continue;
    }
    let idAttr = "";
    if (flavour === "kernel" || (key !== undefined && (counts?.get(key) ?? 0) > 1)) {
      const id = nextId++;
      if (key !== undefined) ids.set(key, id);
      idAttr = ` ID="${id}"`;
    }

    switch (kind) {
      case "string":
        out.push(`<string${idAttr}>${xmlText(v as string, path)}</string>`);
        break;
      case "integer": {
        const { size, hex } = integerText(v as OSNumber, flavour);
        out.push(flavour === "kernel"
          ? `<integer size="${size}"${idAttr}>0x${hex}</integer>`
          : `<integer${idAttr} size="${size}">0x${hex}</integer>`);
        break;
      }
      case "data":
        out.push(`<data${idAttr}>${encodeBase64(v as Uint8Array)}</data>`);
        break;
      default: {
        out.push(`<${tag}${idAttr}>`);
        open.add(v);
        const todo: Item[] = [];
        if (v instanceof Map) {
          for (const [k, e] of v) todo.push({ text: `<key>${xmlText(k, path)}</key>` }, { v: e, path: `${path}/${k}` });
        } else {
          children(v).forEach((e, i) => todo.push({ v: e, path: `${path}/${i}` }));
        }
        todo.push({ close: tag, v });
        for (let i = todo.length - 1; i >= 0; i--) stack.push(todo[i] as Item);
      }
    }
  }
  return out.join("");
}

/** Escaped element text; a NUL would end the kernel's C string early, so it is refused. */
function xmlText(s: string, path: string): string {
  if (s.includes("\0")) throw new TypeError(`Cannot serialize a string containing NUL${at(path)} as I/O Kit XML`);
  return escapeXML(s);
}

function at(path: string): string {
  return path ? ` at ${path}` : "";
}

/**
 * Serializes `value` as the kernel's `OSSerialize` XML.
 * @throws {TypeError} for reals, dates, UIDs, integers wider than 64 bits, or a cycle.
 */
export function serializeKernelXML(value: OSValue): string {
  return serialize(value, "kernel");
}

/**
 * Serializes `value` as user space's `IOCFSerialize` XML (what IOKitLib sends to the kernel).
 * The kernel expects the text NUL-terminated; append the NUL when building such a buffer.
 * @throws {TypeError} for dates, UIDs, non-integral reals, or a cycle.
 */
export function serializeIOCFXML(value: OSValue): string {
  return serialize(value, "iocf");
}
