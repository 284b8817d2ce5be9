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
import { strtoBase0, utf8Bytes, utf8Text } from "./text.ts";

/** Options for {@link unserializeXML}; the defaults are xnu's. */
export interface UnserializeXMLOptions {
  /** Maximum number of parsed objects (xnu: 131071). */
  readonly maxObjects?: number;
  /** Maximum number of IDREF substitutions (xnu: 65535). */
  readonly maxReferences?: number;
}

const MAX_OBJECTS = 131071;
const MAX_REFERENCES = 65535;
/** Names and attribute values end before reaching the kernel's 32-byte buffers. */
const MAX_NAME = 30;
const MAX_ATTRIBUTES = 31;

const TAG = { start: 1, end: 2, empty: 3, ignore: 4 } as const;
type TagType = (typeof TAG)[keyof typeof TAG];

interface Tag {
  type: TagType;
  name: string;
  attrs: Array<[string, string]>;
  at: number;
}

type Frame =
  | { kind: "dict"; id: number; value: OSDictionary; key: string | undefined; at: number }
  | { kind: "array" | "set"; id: number; value: OSArray; at: number };

const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x09;
const isAlpha = (c: number | undefined): boolean => c !== undefined && ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a));
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
const isLowerHex = (c: number | undefined): boolean => isDigit(c) || (c !== undefined && c >= 0x61 && c <= 0x66);
const isNameChar = (c: number | undefined): boolean => isAlpha(c) || isDigit(c) || c === 0x2d;

const B64_DECODE = new Int8Array(128).fill(-1);
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".split("").forEach((ch, i) => { B64_DECODE[ch.charCodeAt(0)] = i; });
B64_DECODE[0x3d] = 0; // '=' decodes as zero bits; the run of '=' decides how many bytes to keep

class Lexer {
  readonly buf: Uint8Array;
  pos = 0;

  constructor(buf: Uint8Array) {
    // The kernel reads a C string: the first NUL ends the input.
    const nul = buf.indexOf(0);
    this.buf = nul >= 0 ? buf.subarray(0, nul) : buf;
  }

  ch(): number | undefined {
    return this.buf[this.pos];
  }

  fail(message: string, at = this.pos): never {
    throw new IOKitXMLSyntaxError(message, this.buf, at);
  }

  /** Skips spaces, tabs and newlines; false at the end of input. */
  skipSpace(): boolean {
    for (;;) {
      const c = this.ch();
      if (c === undefined) return false;
      if (!isSpace(c) && c !== 0x0a) return true;
      this.pos++;
    }
  }

  name(what: string): string {
    const start = this.pos;
    while (isNameChar(this.ch())) {
      this.pos++;
      if (this.pos - start > MAX_NAME) this.fail(`${what} longer than ${MAX_NAME} characters`, start);
    }
    return String.fromCharCode(...this.buf.subarray(start, this.pos));
  }

  /** Reads one tag at `pos` (which must be `<`). */
  tag(): Tag {
    const at = this.pos;
    if (this.ch() !== 0x3c) this.fail(`Expected '<' but found ${this.describe()}`);
    this.pos++;
    if (this.ch() === 0x21 /* ! */) return this.declaration(at);
    if (this.ch() === 0x3f /* ? */) return this.instruction(at);
    let type: TagType = TAG.start;
    if (this.ch() === 0x2f) {
      this.pos++;
      type = TAG.end;
    }
    if (!isAlpha(this.ch())) this.fail(`Expected a tag name but found ${this.describe()}`);
    const name = this.name("Tag name");
    const attrs: Array<[string, string]> = [];
    while (this.ch() !== 0x3e && this.ch() !== 0x2f) {
      while (isSpace(this.ch())) this.pos++;
      const attrAt = this.pos;
      const key = this.name("Attribute name");
      while (isSpace(this.ch())) this.pos++;
      if (this.ch() !== 0x3d) this.fail(`Expected '=' after attribute name "${key}" in <${name}> but found ${this.describe()}`);
      this.pos++;
      while (isSpace(this.ch())) this.pos++;
      if (this.ch() !== 0x22) this.fail(`Expected '"' to open the value of attribute "${key}" but found ${this.describe()}`);
      this.pos++;
      const vstart = this.pos;
      while (this.ch() !== 0x22) {
        if (this.ch() === undefined) this.fail(`Unterminated value of attribute "${key}"`, vstart);
        this.pos++;
        if (this.pos - vstart > MAX_NAME) this.fail(`Value of attribute "${key}" longer than ${MAX_NAME} characters`, vstart);
      }
      attrs.push([key, utf8Text(this.buf.subarray(vstart, this.pos))]);
      this.pos++;
      if (attrs.length > MAX_ATTRIBUTES) this.fail(`More than ${MAX_ATTRIBUTES} attributes in <${name}>`, attrAt);
    }
    if (this.ch() === 0x2f) {
      this.pos++;
      type = TAG.empty;
    }
    if (this.ch() !== 0x3e) this.fail(`Expected '>' to close <${name}> but found ${this.describe()}`);
    this.pos++;
    return { type, name, attrs, at };
  }

  declaration(at: number): Tag {
    this.pos++; // '!'
    const isComment = this.ch() === 0x2d && this.buf[this.pos + 1] === 0x2d;
    if (isComment) {
      const end = indexOfSeq(this.buf, [0x2d, 0x2d], this.pos + 2);
      if (end < 0) this.fail("Unterminated comment", at);
      if (this.buf[end + 2] !== 0x3e) this.fail("'--' inside a comment must end it with '-->'", end);
      this.pos = end + 3;
    } else {
      if (!isAlpha(this.ch())) this.fail(`Malformed '<!' declaration`, at);
      const end = this.buf.indexOf(0x3e, this.pos);
      if (end < 0) this.fail("Unterminated '<!' declaration", at);
      this.pos = end + 1;
    }
    return { type: TAG.ignore, name: "", attrs: [], at };
  }

  instruction(at: number): Tag {
    // The kernel looks at the character after each '?': '>' ends the instruction, the end of input
    // quietly ends it too, anything else (even another '?') is skipped.
    for (;;) {
      this.pos++;
      const c = this.ch();
      if (c === undefined) this.fail("Unterminated '<?' processing instruction", at);
      if (c !== 0x3f) continue;
      this.pos++;
      if (this.ch() === undefined) return { type: TAG.ignore, name: "", attrs: [], at };
      if (this.ch() === 0x3e) {
        this.pos++;
        return { type: TAG.ignore, name: "", attrs: [], at };
      }
    }
  }

  describe(): string {
    const c = this.ch();
    if (c === undefined) return "end of input";
    if (c >= 0x21 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
    return `byte 0x${c.toString(16).padStart(2, "0")}`;
  }

  /** Raw text up to the next '<', with the three entities decoded. */
  text(what: string): string {
    const start = this.pos;
    const end = this.buf.indexOf(0x3c, start);
    if (end < 0) this.fail(`Unterminated <${what}>: no closing tag`, start);
    this.pos = end;
    const raw = this.buf.subarray(start, end);
    if (raw.indexOf(0x26) < 0) return utf8Text(raw);
    const out: number[] = [];
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i] as number;
      if (c !== 0x26) { out.push(c); continue; }
      const rest = String.fromCharCode(...raw.subarray(i + 1, i + 5));
      if (rest.startsWith("lt;")) { out.push(0x3c); i += 3; }
      else if (rest.startsWith("gt;")) { out.push(0x3e); i += 3; }
      else if (rest.startsWith("amp;")) { out.push(0x26); i += 4; }
      else this.fail(`Unknown entity in <${what}>: only &lt; &gt; &amp; are accepted`, start + i);
    }
    return utf8Text(Uint8Array.from(out));
  }

  /** The kernel's integer scan: no leading space, `0x` + lowercase hex or decimal with '-'. */
  integer(): bigint {
    let n = 0n;
    let base = 10;
    if (this.ch() === 0x30) {
      this.pos++;
      if (this.ch() === 0x78) {
        base = 16;
        this.pos++;
      }
    }
    if (base === 10) {
      let negative = false;
      if (this.ch() === 0x2d) {
        negative = true;
        this.pos++;
      }
      while (isDigit(this.ch())) n = (n * 10n + BigInt((this.ch() as number) - 0x30)) & 0xffffffffffffffffn, this.pos++;
      if (negative) n = BigInt.asUintN(64, -n);
    } else {
      while (isLowerHex(this.ch())) {
        const c = this.ch() as number;
        n = (n * 16n + BigInt(c <= 0x39 ? c - 0x30 : c - 0x61 + 10)) & 0xffffffffffffffffn;
        this.pos++;
      }
    }
    return n;
  }

  base64Data(): Uint8Array {
    const out: number[] = [];
    let acc = 0, count = 0, equals = 0;
    for (;;) {
      const raw = this.ch();
      if (raw === undefined) this.fail("Unterminated <data>: no closing tag");
      if (raw === 0x3c) break;
      const c = raw & 0x7f;
      this.pos++;
      equals = c === 0x3d ? equals + 1 : 0;
      const v = B64_DECODE[c] as number;
      if (v < 0) continue;
      acc = ((acc << 6) | v) >>> 0;
      if (++count % 4 === 0) {
        out.push((acc >>> 16) & 0xff);
        if (equals < 2) out.push((acc >>> 8) & 0xff);
        if (equals < 1) out.push(acc & 0xff);
      }
    }
    return Uint8Array.from(out);
  }

  /** Hex data; on a bad digit the kernel keeps no bytes and resumes at that character. */
  hexData(): Uint8Array {
    const out: number[] = [];
    while (this.ch() !== 0x3c) {
      while (isSpace(this.ch())) this.pos++;
      if (this.ch() === 0x0a) { this.pos++; continue; }
      const hi = this.ch();
      if (!isLowerHex(hi)) return new Uint8Array(0);
      this.pos++;
      const lo = this.ch();
      if (!isLowerHex(lo)) return new Uint8Array(0);
      this.pos++;
      out.push((hexDigit(hi as number) << 4) | hexDigit(lo as number));
    }
    return Uint8Array.from(out);
  }

  /** Requires the end tag `</name>` next; `hint` explains what the content may hold. */
  close(name: string, hint = ""): void {
    const at = this.pos;
    if (this.ch() !== 0x3c) this.fail(`Expected </${name}> but found ${this.describe()}${hint}`);
    const t = this.tag();
    if (t.type !== TAG.end || t.name !== name) this.fail(`Expected </${name}>`, at);
  }
}

function hexDigit(c: number): number {
  return c <= 0x39 ? c - 0x30 : c - 0x61 + 10;
}

function indexOfSeq(buf: Uint8Array, seq: number[], from: number): number {
  for (let i = buf.indexOf(seq[0] as number, from); i >= 0; i = buf.indexOf(seq[0] as number, i + 1)) {
    if (seq.every((b, k) => buf[i + k] === b)) return i;
  }
  return -1;
}

/** C's `int` conversion of a `long` from `strtol`. */
const toInt = (v: bigint): number => Number(BigInt.asIntN(32, v));

/**
 * Parses kernel-dialect XML (`OSUnserializeXML`) into a value.
 * @throws {IOKitXMLSyntaxError} on anything the kernel rejects, with line:column and the reason.
 */
export function unserializeXML(input: string | Uint8Array, options: UnserializeXMLOptions = {}): OSValue {
  const maxObjects = options.maxObjects ?? MAX_OBJECTS;
  const maxReferences = options.maxReferences ?? MAX_REFERENCES;
  const lx: Lexer = new Lexer(utf8Bytes(input));
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
