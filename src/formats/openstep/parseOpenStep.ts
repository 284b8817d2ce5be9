/**
 * Reader for NeXT/OpenStep ("old-style", ASCII) property lists and `.strings` files, following
 * CoreFoundation's `CFOldStylePList` behaviour.
 *
 * Grammar as CF accepts it:
 * - `{ key = value; ... }` dictionaries (every entry, the last included, ends with `;`; a bare
 *   `key;` stores the key as its own value), `( a, b, )` arrays (a trailing comma is allowed),
 *   `<0fa1 b2>` data (hex pairs, whitespace only between bytes), and strings.
 * - Strings are quoted with `"` or `'`, or unquoted runs of `[A-Za-z0-9_$/:.-]`. Escapes: `\a \b
 *   \f \n \r \t \v`, `\"`, a backslash-newline, up to three octal digits (a NeXTSTEP Latin byte),
 *   `\U` with up to four hex digits, and any other character stands for itself.
 * - There are no numbers, booleans or dates: `0.25` and `YES` are strings.
 * - `//` and `/* *\/` comments count as whitespace, as do U+2028 and U+2029.
 * - An empty (or whitespace-only) file is an empty dictionary. A file whose first object is a
 *   string followed by more text is re-read as the inside of a dictionary: that is the `.strings`
 *   format (`"key" = "value";`).
 *
 * GNUstep's typed extensions (`<*I5>`, `<*R1.5>`, `<*BY>`, `<*D2001-01-01 00:00:00 +0000>`) are not
 * accepted by CoreFoundation: `*` is not a hex digit, so CF reports malformed data. We reject them the
 * same way by default and decode them only when {@link OpenStepParseOptions.gnustep} is set.
 *
 * The parser recurses on nesting but stops at {@link OpenStepParseOptions.maxDepth} with a typed error,
 * so deep input cannot exhaust the stack. Duplicate keys keep the first position and the last value.
 */
import { OSDate, num, real, type OSArray, type OSDictionary, type OSValue } from "../../libkern/index.ts";
import { decodeText } from "./decodeText.ts";
import { nextStepLatinToUnicode } from "./nextStepLatin.ts";
import { OpenStepSyntaxError } from "./OpenStepSyntaxError.ts";

/** Options for {@link parseOpenStep}. */
export interface OpenStepParseOptions {
  /** Accept GNUstep's `<*I…>`, `<*R…>`, `<*B…>`, `<*D…>` typed values (CF rejects them). Default false. */
  readonly gnustep?: boolean;
  /** Maximum nesting of dictionaries and arrays (default 512). */
  readonly maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 512;

function isUnquoted(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) ||
    c === 0x5f || c === 0x24 || c === 0x2f || c === 0x3a || c === 0x2e || c === 0x2d;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

class Parser {
  pos = 0;
  depth = 0;
  readonly text: string;
  readonly gnustep: boolean;
  readonly maxDepth: number;
  /** Set for `.strings` files: every value must be a string. */
  stringValues = false;

  constructor(text: string, options: OpenStepParseOptions) {
    this.text = text;
    this.gnustep = options.gnustep ?? false;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  fail(message: string, at = this.pos): never {
    throw new OpenStepSyntaxError(message, this.text, at);
  }

  /** Skips whitespace and comments; returns false at end of input. */
  skipSpace(): boolean {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if ((c >= 9 && c <= 13) || c === 0x20 || c === 0x2028 || c === 0x2029) {
        this.pos++;
      } else if (c === 0x2f && t.charCodeAt(this.pos + 1) === 0x2f) {
        this.pos += 2;
        while (this.pos < t.length) {
          const d = t.charCodeAt(this.pos);
          if (d === 0x0a || d === 0x0d || d === 0x2028 || d === 0x2029) break;
          this.pos++;
        }
      } else if (c === 0x2f && t.charCodeAt(this.pos + 1) === 0x2a) {
        const close = t.indexOf("*/", this.pos + 2);
        this.pos = close < 0 ? t.length : close + 2;
      } else {
        return true;
      }
    }
    return false;
  }

  /** Parses one object; returns undefined when none starts here (and `required` is false). */
  object(required: boolean): OSValue | undefined {
    if (!this.skipSpace()) {
      if (required) this.fail("Unexpected end of input while parsing plist");
      return undefined;
    }
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x7b /* { */) return this.nested(() => this.dict());
    if (c === 0x28 /* ( */) return this.nested(() => this.array());
    if (c === 0x3c /* < */) return this.data();
    if (c === 0x22 || c === 0x27) return this.quoted();
    if (isUnquoted(c)) return this.unquoted();
    if (required) this.fail(`Unexpected character '${this.text[this.pos]}' (0x${c.toString(16)})`);
    return undefined;
  }

  nested<T>(body: () => T): T {
    if (++this.depth > this.maxDepth) this.fail(`Cannot parse plist: nesting deeper than ${this.maxDepth}`);
    const v = body();
    this.depth--;
    return v;
  }

  /** A key: a quoted or unquoted string, or undefined when none starts here. */
  key(): string | undefined {
    if (!this.skipSpace()) return undefined;
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x22 || c === 0x27) return this.quoted();
    if (isUnquoted(c)) return this.unquoted();
    return undefined;
  }

  quoted(): string {
    const t = this.text;
    const start = this.pos;
    const quote = t.charCodeAt(this.pos++);
    let out = "";
    let mark = this.pos;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === quote) {
        out += t.slice(mark, this.pos);
        this.pos++;
        return out;
      }
      if (c === 0x5c /* \ */) {
        out += t.slice(mark, this.pos);
        this.pos++;
        if (this.pos >= t.length) break;
        out += String.fromCharCode(this.escape());
        mark = this.pos;
      } else {
        this.pos++;
      }
    }
    return this.fail("Unterminated quoted string", start);
  }

  /** Decodes the escape after a backslash; `pos` is at the escaped character. */
  escape(): number {
    const t = this.text;
    const c = t.charCodeAt(this.pos++);
    if (c >= 0x30 && c <= 0x37) {
      let n = c - 0x30;
      for (let i = 0; i < 2 && this.pos < t.length; i++) {
        const d = t.charCodeAt(this.pos);
        if (d < 0x30 || d > 0x37) break;
        n = (n << 3) + d - 0x30;
        this.pos++;
      }
      // CF accumulates into a byte, so \777 wraps to 0xff.
      return nextStepLatinToUnicode(n & 0xff);
    }
    switch (c) {
      case 0x55: { // U
        let n = 0;
        for (let i = 0; i < 4 && this.pos < t.length; i++) {
          const h = hexValue(t.charCodeAt(this.pos));
          if (h < 0) break;
          n = (n << 4) + h;
          this.pos++;
        }
        return n;
      }
      case 0x61: return 0x07;
      case 0x62: return 0x08;
      case 0x66: return 0x0c;
      case 0x6e: return 0x0a;
      case 0x72: return 0x0d;
      case 0x74: return 0x09;
      case 0x76: return 0x0b;
      default: return c;
    }
  }

  unquoted(): string {
    const t = this.text;
    const start = this.pos;
    while (this.pos < t.length && isUnquoted(t.charCodeAt(this.pos))) this.pos++;
    return t.slice(start, this.pos);
  }

  array(): OSArray {
    const open = this.pos++;
    const out: OSArray = [];
    let v = this.object(false);
    while (v !== undefined) {
      out.push(v);
      if (!this.skipSpace()) this.fail("Expected ',' or ')' for array", open);
      if (this.text.charCodeAt(this.pos) !== 0x2c) break;
      this.pos++;
      v = this.object(false);
    }
    if (!this.skipSpace() || this.text.charCodeAt(this.pos) !== 0x29) this.fail("Expected terminating ')' for array");
    this.pos++;
    return out;
  }

  dict(): OSDictionary {
    this.pos++;
    const d = this.dictContent();
    if (!this.skipSpace() || this.text.charCodeAt(this.pos) !== 0x7d) this.fail("Expected terminating '}' for dictionary");
    this.pos++;
    return d;
  }

  /** Entries up to (not including) a closing brace or the end: a dictionary body or a `.strings` file. */
  dictContent(): OSDictionary {
    const d: OSDictionary = new Map();
    let key = this.key();
    while (key !== undefined) {
      if (!this.skipSpace()) this.fail(`Missing ';' or value after key "${key}"`);
      const c = this.text.charCodeAt(this.pos);
      let value: OSValue;
      if (c === 0x3b /* ; */) {
        value = key;
      } else if (c === 0x3d /* = */) {
        this.pos++;
        this.skipSpace();
        const at = this.pos;
        value = this.object(true) as OSValue;
        if (this.stringValues && typeof value !== "string") this.fail(`Value for key "${key}" in strings file is not a string`, at);
      } else {
        this.fail(`Expected ';' or '=' after key "${key}"`);
      }
      d.set(key, value);
      if (!this.skipSpace() || this.text.charCodeAt(this.pos) !== 0x3b) this.fail(`Missing ';' after value for key "${key}"`);
      this.pos++;
      key = this.key();
    }
    return d;
  }

  data(): OSValue {
    const t = this.text;
    const open = this.pos++;
    if (t.charCodeAt(this.pos) === 0x2a /* * */) return this.gnustepValue(open);
    const bytes: number[] = [];
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x3e /* > */) {
        this.pos++;
        return Uint8Array.from(bytes);
      }
      const hi = hexValue(c);
      if (hi >= 0) {
        const lo = this.pos + 1 < t.length ? hexValue(t.charCodeAt(this.pos + 1)) : -1;
        if (lo < 0) this.fail("Malformed data byte group: uneven number of hex digits", this.pos + 1);
        bytes.push((hi << 4) | lo);
        this.pos += 2;
      } else if (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d || c === 0x2028 || c === 0x2029) {
        this.pos++;
      } else {
        this.fail(`Malformed data byte group: invalid hex character '${t[this.pos]}'`);
      }
    }
    return this.fail("Expected terminating '>' for data", open);
  }

  gnustepValue(open: number): OSValue {
    const t = this.text;
    const close = t.indexOf(">", this.pos);
    if (!this.gnustep) {
      this.fail("Malformed data byte group: GNUstep typed value '<*…>' is not accepted by CoreFoundation (parse with the gnustep option)", this.pos);
    }
    if (close < 0) this.fail("Expected terminating '>' for GNUstep typed value", open);
    const type = t[this.pos + 1];
    const body = t.slice(this.pos + 2, close);
    const at = this.pos + 2;
    this.pos = close + 1;
    switch (type) {
      case "I": {
        if (!/^[+-]?\d+$/.test(body.trim())) this.fail(`Invalid GNUstep integer '${body}'`, at);
        const v = BigInt(body.trim());
        if (v < -(2n ** 63n) || v >= 2n ** 64n) this.fail(`GNUstep integer '${body}' out of 64-bit range`, at);
        return num(v, 64);
      }
      case "R": {
        const v = Number(body.trim());
        if (body.trim() === "" || Number.isNaN(v) && body.trim().toLowerCase() !== "nan") this.fail(`Invalid GNUstep real '${body}'`, at);
        return real(v);
      }
      case "B":
        if (body === "Y") return true;
        if (body === "N") return false;
        return this.fail(`Invalid GNUstep boolean '${body}' (expected Y or N)`, at);
      case "D": {
        const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(body.trim());
        if (!m) this.fail(`Invalid GNUstep date '${body}' (expected YYYY-MM-DD HH:MM:SS +ZZZZ)`, at);
        const [, y, mo, d, h, mi, s, sign, zh, zm] = m;
        const utc = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!) / 1000;
        const offset = (sign === "-" ? -1 : 1) * (+zh! * 3600 + +zm! * 60);
        return OSDate.fromUnixSeconds(utc - offset);
      }
      default:
        return this.fail(`Unknown GNUstep typed value '<*${type ?? ""}'`, at - 1);
    }
  }
}

function textOf(input: string | Uint8Array): string {
  return typeof input === "string" ? input : decodeText(input).text;
}

/**
 * Parses an OpenStep property list or `.strings` file (bytes are decoded by BOM, else UTF-8).
 * @throws {OpenStepSyntaxError} with the line and column of the first problem.
 */
export function parseOpenStep(input: string | Uint8Array, options: OpenStepParseOptions = {}): OSValue {
  const text = textOf(input);
  const p: Parser = new Parser(text, options);
  if (!p.skipSpace()) return new Map();
  const first = p.object(true) as OSValue;
  if (!p.skipSpace()) return first;
  if (typeof first !== "string") p.fail("Junk after plist");
  // A string followed by more text: re-read the whole file as a `.strings` dictionary body.
  const strings: Parser = new Parser(text, options);
  const d = strings.dictContent();
  // Divergence from XNU: CF stops quietly at the first character that cannot start a key and
  // returns what it read; we report that character, so a damaged .strings file is not truncated.
  if (strings.skipSpace()) strings.fail(`Unexpected character '${text[strings.pos]}' in strings file`);
  return d;
}

/** Like {@link parseOpenStep} but returns a result instead of throwing. */
export function tryParseOpenStep(input: string | Uint8Array, options: OpenStepParseOptions = {}):
  { ok: true; value: OSValue } | { ok: false; error: OpenStepSyntaxError } {
  try {
    return { ok: true, value: parseOpenStep(input, options) };
  } catch (e) {
    if (e instanceof OpenStepSyntaxError) return { ok: false, error: e };
    throw e;
  }
}

/**
 * Parses a `.strings` file: `"key" = "value";` entries (and bare `key;`), UTF-16 with BOM or UTF-8.
 * Also accepts a file wrapped in braces, as CF does. Every value must be a string.
 * @throws {OpenStepSyntaxError} on malformed input or a non-string value.
 */
export function parseStrings(input: string | Uint8Array): Map<string, string> {
  const text = textOf(input);
  const p: Parser = new Parser(text, {});
  p.stringValues = true;
  let d: OSDictionary;
  if (p.skipSpace() && text.charCodeAt(p.pos) === 0x7b) {
    d = p.nested(() => p.dict());
  } else {
    d = p.dictContent();
  }
  // Divergence from XNU: trailing junk is reported (CF ignores it), as in parseOpenStep().
  if (p.skipSpace()) p.fail(`Unexpected character '${text[p.pos]}' in strings file`);
  const out = new Map<string, string>();
  for (const [k, v] of d) out.set(k, v as string);
  return out;
}
