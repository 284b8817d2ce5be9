/**
 * Reader for libkern's legacy text format (`OSUnserialize`), the pre-XML syntax still accepted by
 * the kernel and used by xnu's serialization tests:
 *
 * ```
 * { key = "value"; n = 16384:32; flag = .true.; bytes = <0123 4567>;
 *   list = ( a, b ); members = [ one, two ]; shared = { }@1; again = @1; }
 * ```
 *
 * Tokens follow the kernel's lexer: space, tab and newline separate; `#` starts a comment to the
 * end of the line; unquoted strings start with a letter and go on with letters, digits and `-`;
 * quoted strings use `"` or `'` and a backslash makes the next character literal (there are no
 * escape sequences); numbers are decimal or `0x` plus lowercase hex and must carry a size,
 * `value:bits`; data is lowercase hex pairs inside `< >`; booleans are `.true.` and `.false.`.
 * `object@N` records an object under N and `@N` reuses it (the same value, shared).
 *
 * Like the kernel, empty input yields no object (undefined) and anything after the first complete
 * object is ignored. Dictionary keys must be strings (the kernel casts blindly). Parsing uses an
 * explicit stack.
 */
import { num, type OSArray, type OSDictionary, type OSValue } from "../../libkern/index.ts";
import { IOKitXMLSyntaxError } from "./IOKitXMLSyntaxError.ts";
import { utf8Bytes, utf8Text } from "./text.ts";

type Token =
  | { t: "{" | "}" | "(" | ")" | "[" | "]" | "=" | ";" | "," | "@" | ":" | "eof" | "other"; at: number }
  | { t: "number"; at: number; n: bigint }
  | { t: "value"; at: number; v: OSValue };

const isAlpha = (c: number | undefined): boolean => c !== undefined && ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a));
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
const isLowerHex = (c: number | undefined): boolean => isDigit(c) || (c !== undefined && c >= 0x61 && c <= 0x66);
const hexValue = (c: number): number => (c <= 0x39 ? c - 0x30 : c - 0x61 + 10);

class LegacyLexer {
  readonly buf: Uint8Array;
  pos = 0;
  private peeked: Token | undefined;

  constructor(buf: Uint8Array) {
    const nul = buf.indexOf(0);
    this.buf = nul >= 0 ? buf.subarray(0, nul) : buf;
  }

  fail(message: string, at = this.pos): never {
    throw new IOKitXMLSyntaxError(message, this.buf, at);
  }

  peek(): Token {
    this.peeked ??= this.lex();
    return this.peeked;
  }

  next(): Token {
    const t = this.peek();
    this.peeked = undefined;
    return t;
  }

  private skip(): void {
    const b = this.buf;
    for (;;) {
      const c = b[this.pos];
      if (c === 0x20 || c === 0x09 || c === 0x0a) this.pos++;
      else if (c === 0x23 /* # */) while (this.pos < b.length && b[this.pos] !== 0x0a) this.pos++;
      else return;
    }
  }

  private lex(): Token {
    this.skip();
    const b = this.buf;
    const at = this.pos;
    const c = b[this.pos];
    if (c === undefined) return { t: "eof", at };
    if (c === 0x2e /* . */) {
      for (const word of [".true.", ".false."]) {
        if (word.split("").every((ch, i) => b[at + i] === ch.charCodeAt(0))) {
          this.pos += word.length;
          return { t: "value", at, v: word === ".true." };
        }
      }
      this.fail("Malformed boolean: expected .true. or .false.");
    }
    if (isAlpha(c)) {
      while (isAlpha(b[this.pos]) || isDigit(b[this.pos]) || b[this.pos] === 0x2d) this.pos++;
      return { t: "value", at, v: utf8Text(b.subarray(at, this.pos)) };
    }
    if (c === 0x22 || c === 0x27) {
      // A backslash makes the next character part of the string; afterwards every backslash is
      // dropped, so a literal backslash cannot be written at all.
      let p = at;
      for (;;) {
        let d = b[++p];
        if (d === c) break;
        if (d === 0x5c) d = b[++p];
        if (d === undefined) this.fail("Unterminated quoted string", at);
      }
      this.pos = p + 1;
      return { t: "value", at, v: utf8Text(b.subarray(at + 1, p).filter((x) => x !== 0x5c)) };
    }
    if (isDigit(c)) {
      let n = 0n;
      if (c === 0x30 && b[this.pos + 1] === 0x78) {
        this.pos += 2;
        while (isLowerHex(b[this.pos])) n = (n * 16n + BigInt(hexValue(b[this.pos++] as number))) & 0xffffffffffffffffn;
      } else {
        while (isDigit(b[this.pos])) n = (n * 10n + BigInt((b[this.pos++] as number) - 0x30)) & 0xffffffffffffffffn;
      }
      return { t: "number", at, n };
    }
    if (c === 0x3c /* < */) {
      this.pos++;
      const out: number[] = [];
      for (;;) {
        this.skip();
        const hi = b[this.pos];
        if (hi === 0x3e) { this.pos++; break; }
        const lo = b[this.pos + 1];
        if (!isLowerHex(hi) || !isLowerHex(lo)) this.fail("Malformed data: expected lowercase hex pairs and '>'");
        out.push((hexValue(hi as number) << 4) | hexValue(lo as number));
        this.pos += 2;
      }
      return { t: "value", at, v: Uint8Array.from(out) };
    }
    this.pos++;
    const single = "{}()[]=;,@:".indexOf(String.fromCharCode(c));
    return single >= 0 ? { t: "{}()[]=;,@:"[single] as "{", at } : { t: "other", at };
  }
}

type Frame =
  | { kind: "dict"; value: OSDictionary; key: string | undefined; at: number }
  | { kind: "array" | "set"; value: OSArray; at: number };

const CLOSER = { dict: "}", array: ")", set: "]" } as const;

/**
 * Parses the legacy `OSUnserialize` text format.
 * @returns the object, or undefined for empty input (as the kernel returns no object and no error).
 * @throws {IOKitXMLSyntaxError} with line:column on malformed input.
 */
export function unserializeLegacy(input: string | Uint8Array): OSValue | undefined {
  const lx: LegacyLexer = new LegacyLexer(utf8Bytes(input));
  const refs = new Map<bigint, OSValue>();
  const stack: Frame[] = [];
  if (lx.peek().t === "eof") return undefined;

  const expect = (t: string, what: string): Token => {
    const tok = lx.next();
    if (tok.t !== t) lx.fail(`Expected '${t}' ${what}`, tok.at);
    return tok;
  };

  for (;;) {
    // Read one object start.
    const tok = lx.next();
    let value: OSValue | undefined;
    const top = stack[stack.length - 1];
    switch (tok.t) {
      case "{": stack.push({ kind: "dict", value: new Map(), key: undefined, at: tok.at }); break;
      case "(": stack.push({ kind: "array", value: [], at: tok.at }); break;
      case "[": stack.push({ kind: "set", value: [], at: tok.at }); break;
      case "value": value = tok.v; break;
      case "number": {
        expect(":", "after a number: numbers are written value:bits");
        const size = expect("number", "for the bit size after ':'") as Extract<Token, { t: "number" }>;
        // Divergence from XNU: sizes outside 1...64 are rejected; the kernel's mask is undefined there.
        if (size.n < 1n || size.n > 64n) lx.fail(`Integer size ${size.n} is outside 1...64`, size.at);
        value = num(BigInt.asUintN(Number(size.n), tok.n), Number(size.n));
        break;
      }
      case "@": {
        const ref = expect("number", "after '@'") as Extract<Token, { t: "number" }>;
        value = refs.get(ref.n);
        if (value === undefined) lx.fail(`Reference @${ref.n} refers to no earlier object (forward reference)`, tok.at);
        break;
      }
      case "}": case ")": case "]":
        if (top && CLOSER[top.kind] === tok.t && (top.kind === "dict" ? top.value.size === 0 && top.key === undefined : top.value.length === 0)) {
          stack.pop();
          value = top.kind === "set" ? new Set(top.value) : top.value;
          break;
        }
        lx.fail(`Unexpected '${tok.t}'`, tok.at);
        break;
      case "eof":
        lx.fail(stack.length ? `Unexpected end of input inside ${stack[stack.length - 1]?.kind}` : "Unexpected end of input", tok.at);
        break;
      default:
        lx.fail("Syntax error: expected an object", tok.at);
    }
    if (value === undefined) continue; // a container was opened

    // Deliver completed values upward, closing containers as their closers arrive.
    for (;;) {
      while (lx.peek().t === "@") {
        lx.next();
        const ref = expect("number", "after '@'") as Extract<Token, { t: "number" }>;
        refs.set(ref.n, value);
      }
      const parent = stack[stack.length - 1];
      if (!parent) return value;
      if (parent.kind === "dict") {
        if (parent.key === undefined) {
          // Divergence from XNU: the kernel casts any key object to OSString unchecked; we refuse.
          if (typeof value !== "string") lx.fail("Dictionary key must be a string", lx.pos);
          parent.key = value;
          expect("=", `after dictionary key "${value}"`);
          break;
        }
        parent.value.set(parent.key, value);
        parent.key = undefined;
        expect(";", "after dictionary value");
        if (lx.peek().t !== "}") break;
      } else {
        parent.value.push(value);
        if (lx.peek().t === ",") { lx.next(); break; }
        if (lx.peek().t !== CLOSER[parent.kind]) lx.fail(`Expected ',' or '${CLOSER[parent.kind]}' in ${parent.kind}`, lx.peek().at);
      }
      lx.next();
      stack.pop();
      value = parent.kind === "set" ? new Set(parent.value as OSArray) : parent.value;
    }
  }
}
