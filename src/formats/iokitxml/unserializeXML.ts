/**
 * Reader for the I/O Kit kernel's XML dialect with the exact acceptance rules of xnu's
 * `OSUnserializeXML`: what the kernel accepts we accept, and what it rejects we reject, with a
 * message that says why and where.
 *
 * Mechanism. A byte-level lexer mirrors the kernel's: white space is only space, tab and `\n` (a
 * `\r` is a syntax error); `<?…?>`, `<!DOCTYPE …>` and `<!-- … -->` are skipped; every `plist` tag
 * is ignored wherever it appears; tag and attribute names are letters, digits and `-`, at most 30
 * characters, attribute values at most 30 characters, at most 31 attributes per tag. Element
 * content is read raw up to the next `<`: strings and keys decode only `&lt;` `&gt;` `&amp;`;
 * integers are decimal (with an optional `-`) or `0x` plus lowercase hex, wrapping modulo 2^64 and
 * masked to `size` bits (default 64, read with `strtoul` base 0); data is base64 (characters
 * outside the alphabet are skipped) or, with `format="hex"`, lowercase hex pairs. Only the end
 * tag is checked after content, so `</string>x</string>` reads as a string, like the kernel.
 *
 * Parsing uses an explicit stack of open containers, never recursion, so nesting depth costs heap,
 * not call stack. Only the first complete object is read; anything after it is ignored.
 *
 * References. `ID="n"` records the object under n (containers when they close, so a child cannot
 * refer to an ancestor); `IDREF="n"` on an empty element of any tag name substitutes the recorded
 * object itself, so the result shares it. Booleans are never recorded.
 *
 * Limits. At most 131071 objects (references included, keys not) and 65535 references; a
 * duplicate key in one dictionary is an error, as in current xnu.
 */
import { num, type OSArray, type OSDictionary, type OSSet, type OSValue } from "../../libkern/index.ts";
import { IOKitXMLSyntaxError } from "./IOKitXMLSyntaxError.ts";
import { strtoBase0, utf8Bytes } from "./text.ts";
import { TAG, XMLLexer } from "./XMLLexer.ts";

/** Options for {@link unserializeXML}; the defaults are xnu's. */
export interface UnserializeXMLOptions {
  /** Maximum number of parsed objects (xnu: 131071). */
  readonly maxObjects?: number;
  /** Maximum number of IDREF substitutions (xnu: 65535). */
  readonly maxReferences?: number;
}

const MAX_OBJECTS = 131071;
const MAX_REFERENCES = 65535;

type Frame =
  | { kind: "dict"; id: number; value: OSDictionary; key: string | undefined; at: number }
  | { kind: "array" | "set"; id: number; value: OSArray; at: number };

/** C's `int` conversion of a `long` from `strtol`. */
const toInt = (v: bigint): number => Number(BigInt.asIntN(32, v));

/**
 * Parses kernel-dialect XML (`OSUnserializeXML`) into a value.
 * @throws {IOKitXMLSyntaxError} on anything the kernel rejects, with line:column and the reason.
 */
export function unserializeXML(input: string | Uint8Array, options: UnserializeXMLOptions = {}): OSValue {
  const maxObjects = options.maxObjects ?? MAX_OBJECTS;
  const maxReferences = options.maxReferences ?? MAX_REFERENCES;
  const lx: XMLLexer = new XMLLexer(utf8Bytes(input));
  const ids = new Map<number, OSValue>();
  const stack: Frame[] = [];
  let objects = 0;
  let references = 0;

  const remember = (id: number, v: OSValue): void => {
    if (id >= 0) ids.set(id, v);
  };
  const counted = (at: number): void => {
    if (++objects > maxObjects) lx.fail(`Maximum object count (${maxObjects}) exceeded`, at);
  };

  for (;;) {
    if (!lx.skipSpace()) {
      if (stack.length === 0) lx.fail("Unexpected end of buffer: no object");
      const top = stack[stack.length - 1] as Frame;
      lx.fail(`Unexpected end of buffer: <${top.kind}> opened at byte ${top.at} is not closed`);
    }
    const t = lx.tag();
    if (t.type === TAG.ignore || t.name === "plist") continue;

    let id = -1;
    let idref: number | undefined;
    for (const [k, v] of t.attrs) {
      if (!k.startsWith("ID")) continue;
      if (k === "IDREF") {
        if (t.type !== TAG.empty) lx.fail(`IDREF is only allowed on an empty element, not on <${t.name}>`, t.at);
        idref = toInt(strtoBase0(v, true));
        break;
      }
      if (k !== "ID") lx.fail(`Unknown attribute "${k}" (only ID and IDREF start with "ID")`, t.at);
      id = toInt(strtoBase0(v, true));
    }

    const top = stack[stack.length - 1];
    const inDict = top?.kind === "dict";
    const closes = t.type === TAG.end && (t.name === "dict" || t.name === "array" || t.name === "set");
    if (idref === undefined && t.name === "key") {
      if (!inDict || (top as { key?: string }).key !== undefined) lx.fail("Unexpected <key> outside a dictionary or after another key", t.at);
      if (t.type === TAG.empty) lx.fail("Empty <key/> is not allowed", t.at);
      const key = lx.text("key");
      lx.close("key");
      const d = top as Extract<Frame, { kind: "dict" }>;
      if (d.value.has(key)) lx.fail(`Duplicate dictionary key "${key}"`, t.at);
      remember(id, key);
      d.key = key;
      continue;
    }
    if (closes) {
      if (!top || top.kind !== t.name) lx.fail(`Unexpected </${t.name}>${top ? ` inside <${top.kind}>` : ""}`, t.at);
      if (top.kind === "dict" && top.key !== undefined) lx.fail(`Missing value for key "${top.key}" before </dict>`, t.at);
      stack.pop();
    } else if (inDict && (top as Extract<Frame, { kind: "dict" }>).key === undefined) {
      lx.fail(`Expected <key> or </dict> in dictionary but found <${t.name}>`, t.at);
    }

    let value: OSValue;
    if (closes) {
      const f = top as Frame;
      // Divergence from XNU: equal strings collapse in a Set (JavaScript strings have no identity),
      // where an OSSet keeps two distinct OSString objects with the same text.
      value = f.kind === "set" ? new Set(f.value as OSArray) as OSSet : f.value;
      remember(f.id, value);
    } else if (idref !== undefined) {
      const v = ids.get(idref);
      if (v === undefined) lx.fail(`IDREF="${idref}" refers to no earlier object (forward reference)`, t.at);
      if (++references > maxReferences) lx.fail(`Maximum object reference count (${maxReferences}) exceeded`, t.at);
      value = v;
    } else {
      switch (t.name) {
        case "dict": case "array": case "set":
          if (t.type === TAG.start) {
            stack.push(t.name === "dict"
              ? { kind: "dict", id, value: new Map(), key: undefined, at: t.at }
              : { kind: t.name, id, value: [], at: t.at });
            continue;
          }
          value = t.name === "dict" ? new Map() : t.name === "array" ? [] : new Set();
          remember(id, value);
          break;
        case "string":
          value = t.type === TAG.empty ? "" : lx.text("string");
          if (t.type !== TAG.empty) lx.close("string");
          remember(id, value);
          break;
        case "integer": {
          let size = 64n;
          for (const [k, v] of t.attrs) if (k === "size") size = strtoBase0(v, false);
          const bits = Number(BigInt.asUintN(32, size));
          let n = 0n;
          if (t.type !== TAG.empty) {
            n = lx.integer();
            lx.close("integer", " (integers are decimal with an optional '-', or 0x and lowercase hex digits)");
          }
          // Divergence from XNU: sizes outside 1...64 are rejected; the kernel's mask is undefined there.
          if (bits < 1 || bits > 64) lx.fail(`Integer size ${bits} is outside 1...64`, t.at);
          value = num(BigInt.asUintN(bits, n), bits);
          remember(id, value);
          break;
        }
        case "data": {
          if (t.type === TAG.empty) {
            value = new Uint8Array(0);
          } else {
            const hex = t.attrs.some(([k, v]) => k === "format" && v === "hex");
            value = hex ? lx.hexData() : lx.base64Data();
            lx.close("data", hex ? " (hex data is pairs of lowercase hex digits)" : "");
          }
          remember(id, value);
          break;
        }
        case "true": case "false":
          if (t.type !== TAG.empty) lx.fail(`<${t.name}> must be the empty element <${t.name}/>`, t.at);
          value = t.name === "true";
          break;
        default:
          lx.fail(`Unknown tag <${t.type === TAG.end ? "/" : ""}${t.name}>`, t.at);
      }
    }
    counted(t.at);

    const parent = stack[stack.length - 1];
    if (!parent) return value;
    if (parent.kind === "dict") {
      parent.value.set(parent.key as string, value);
      parent.key = undefined;
    } else {
      parent.value.push(value);
    }
  }
}

/** Like {@link unserializeXML} but returns a result instead of throwing. */
export function tryUnserializeXML(input: string | Uint8Array, options: UnserializeXMLOptions = {}):
  { ok: true; value: OSValue } | { ok: false; error: IOKitXMLSyntaxError } {
  try {
    return { ok: true, value: unserializeXML(input, options) };
  } catch (e) {
    if (e instanceof IOKitXMLSyntaxError) return { ok: false, error: e };
    throw e;
  }
}
