/**
 * The byte-level lexer of the kernel XML dialect, mirroring `OSUnserializeXML`'s `getTag`,
 * `getString`, `getNumber`, `getCFEncodedData` and `getHexData`: white space is only space, tab
 * and `\n`; `<?…?>`, `<!…>` and `<!-- … -->` are skipped; names and attribute values stop before
 * the kernel's 32-byte buffers overflow (30 characters), and a tag holds at most 31 attributes.
 * Every failure throws {@link IOKitXMLSyntaxError} at the offending byte.
 */
import { IOKitXMLSyntaxError } from "./IOKitXMLSyntaxError.ts";
import { utf8Text } from "./text.ts";

/** Names and attribute values end before reaching the kernel's 32-byte buffers. */
export const MAX_NAME = 30;
export const MAX_ATTRIBUTES = 31;

/** What `getTag` found: a start tag, an end tag, an empty element, or something to skip. */
export const TAG = { start: 1, end: 2, empty: 3, ignore: 4 } as const;
export type TagType = (typeof TAG)[keyof typeof TAG];

export interface Tag {
  type: TagType;
  name: string;
  attrs: Array<[string, string]>;
  at: number;
}

const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x09;
const isAlpha = (c: number | undefined): boolean => c !== undefined && ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a));
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
const isLowerHex = (c: number | undefined): boolean => isDigit(c) || (c !== undefined && c >= 0x61 && c <= 0x66);
const isNameChar = (c: number | undefined): boolean => isAlpha(c) || isDigit(c) || c === 0x2d;

const B64_DECODE = new Int8Array(128).fill(-1);
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".split("").forEach((ch, i) => { B64_DECODE[ch.charCodeAt(0)] = i; });
B64_DECODE[0x3d] = 0; // '=' decodes as zero bits; the run of '=' decides how many bytes to keep

export class XMLLexer {
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
    let out = "";
    for (let i = start; i < this.pos; i++) out += String.fromCharCode(this.buf[i] as number);
    return out;
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
