/**
 * The XML property-list reader (Apple's `<!DOCTYPE plist …>` format, as CFPropertyList and
 * plistlib read it).
 *
 * Mechanism: {@link XMLScanner} tokenizes (well-formedness, entities, CDATA, comments, line-end
 * normalization; what it accepts is described there); {@link PlistReader} turns its tokens into an
 * {@link OSValue} with an explicit stack of open containers, so a document nested 100,000 deep
 * costs heap, never call stack. Leaf elements collect their text (CDATA and text split by
 * comments join up) and are typed when they close.
 *
 * Rules, following CF where it and plistlib differ:
 * - whitespace-only text between elements is ignored; any other text outside a leaf is an error;
 *   `<string>`/`<key>` content is kept exactly;
 * - DTD-declared entities are refused outright (never expanded), which also defeats
 *   "billion laughs";
 * - `<integer>` is decimal or `0x` hex of any size (→ {@link OSNumber}); `<real>` stays a real
 *   even when integral, and accepts `nan`/`inf`/`infinity`; `<date>` is exact to the second;
 *   `<data>` is base64 with whitespace anywhere;
 * - a dictionary keeps its key order; a repeated key keeps its first position and takes the last
 *   value (CF's `CFDictionarySetValue`, and plistlib's dict, behave the same);
 * - a dictionary whose only key is `CF$UID` with an integer value is a keyed-archiver UID, as CF
 *   reads it (plistlib leaves it a dictionary);
 * - `<plist>` holds exactly one value; a bare root element without `<plist>` is accepted.
 *
 * Positions: errors are raised at absolute character offsets. The one-shot {@link parseXMLPlist}
 * counts lines only when it fails, by decoding the input again; the incremental
 * {@link XMLPlistParser} counts the text its scanner drops as it goes.
 */
import { OSNumber, OSUID, type OSDictionary, type OSValue } from "../../libkern/index.ts";
import { BytePool, decodeBase64 } from "./base64.ts";
import { PlistSyntaxError } from "./PlistSyntaxError.ts";
import { parseXMLDate, parseXMLInteger, parseXMLIntegerAt, parseXMLReal, parseXMLRealAt } from "./xmlScalars.ts";
import { copyOf, StringTable } from "./StringTable.ts";
import { LineCounter, XML_TOKEN, XMLScanFailure, XMLScanner } from "./XMLScanner.ts";

interface Frame {
  /** DICT, ARRAY or PLIST. */
  readonly kind: number;
  readonly array: OSValue[] | undefined;
  readonly dict: OSDictionary | undefined;
  key: string | undefined;
  /** The `<plist>` frame's single value. */
  value: OSValue | undefined;
}

/** The element names of a plist, most frequent first; the scanner reports a name by its index here. */
const NAMES = ["key", "string", "integer", "dict", "true", "false", "data", "real", "array", "date", "plist"];
const KEY = 0;
const STRING = 1;
const INTEGER = 2;
const DICT = 3;
const DATA = 6;
const REAL = 7;
const ARRAY = 8;
const PLIST = 10;
const isLeaf = (kind: number): boolean => kind >= 0 && kind < PLIST && kind !== DICT && kind !== ARRAY;

function isWhitespace(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/** `<string>` values up to this length are shared through a {@link StringTable}; longer ones are copied. */
const SHARED_STRING = 64;

/** Tokens to value; failures are {@link XMLScanFailure}s at absolute offsets. */
class PlistReader {
  readonly scanner: XMLScanner;
  readonly #stack: Frame[] = [];
  #root: OSValue | undefined;
  #hasRoot = false;
  /** The open leaf element's kind (index in NAMES), or -1. */
  #leaf = -1;
  #text = "";
  /** Absolute offset where the open leaf's content starts: its value errors point there. */
  #leafAt = 0;
  /** Every distinct `<key>` text of the document, copied out of the scanner's window. */
  readonly #keys = new StringTable();
  /** Where small `<data>` blobs are kept. */
  readonly #pool = new BytePool();
  /** Every distinct short `<string>` text, likewise. */
  readonly #strings = new StringTable();

  constructor(onDiscard?: (text: string, base: number, to: number) => void) {
    this.scanner = new XMLScanner({ names: NAMES, onDiscard });
  }

  write(chunk: string): void {
    this.scanner.write(chunk);
    this.#run();
  }

  close(): OSValue {
    this.scanner.close();
    this.#run();
    if (!this.#hasRoot) this.#fail("Encountered unexpected EOF: the document holds no property-list value", this.scanner.end);
    return this.#root as OSValue;
  }

  #run(): void {
    const sc = this.scanner;
    for (;;) {
      if (this.#leaf < 0 && this.#element(sc.peekElement())) continue;
      switch (sc.next()) {
        case XML_TOKEN.open:
          this.#open(sc.nameIndex);
          if (sc.selfClosing) this.#close();
          break;
        case XML_TOKEN.close:
          this.#close();
          break;
        case XML_TOKEN.text:
          if (this.#leaf >= 0) this.#text = this.#text === "" ? sc.text() : this.#text + sc.text();
          else {
            const at = sc.firstNonBlank();
            if (at >= 0) {
              const { text, base } = sc.window;
              this.#fail(`Encountered unexpected character ${JSON.stringify(String.fromCodePoint(text.codePointAt(at - base) as number))} outside a value element`, at);
            }
          }
          break;
        case XML_TOKEN.cdata:
          if (this.#leaf >= 0) this.#text += sc.text();
          else if (sc.firstNonBlank() >= 0) this.#fail("Encountered unexpected CDATA outside a value element", sc.start);
          break;
        default:
          return;
      }
    }
  }

  #fail(reason: string, at: number): never {
    throw new XMLScanFailure(reason, at);
  }

  #open(kind: number): void {
    const sc = this.scanner;
    const at = sc.start;
    if (this.#leaf >= 0) this.#fail(`Encountered element <${sc.name}> inside <${NAMES[this.#leaf]}>, which holds text only`, at);
    const top = this.#stack[this.#stack.length - 1];
    if (kind === PLIST) {
      if (top !== undefined || this.#hasRoot) this.#fail("Encountered <plist> that is not the document element", at);
      this.#stack.push({ kind, array: undefined, dict: undefined, key: undefined, value: undefined });
      return;
    }
    if (top?.kind === DICT) {
      if (kind === KEY) {
        if (top.key !== undefined) this.#fail(`Value missing for key ${JSON.stringify(top.key)} inside <dict>`, at);
      } else if (top.key === undefined) {
        this.#fail(`Found non-key <${sc.name}> inside <dict> where a <key> was expected`, at);
      }
    } else if (kind === KEY) {
      this.#fail("Encountered <key> outside a <dict>", at);
    }
    if (kind === DICT) {
      this.#stack.push({ kind, array: undefined, dict: new Map(), key: undefined, value: undefined });
    } else if (kind === ARRAY) {
      this.#stack.push({ kind, array: [], dict: undefined, key: undefined, value: undefined });
    } else if (isLeaf(kind)) {
      if (!sc.selfClosing && sc.leaf()) {
        this.#plainLeaf(kind);
        return;
      }
      this.#leaf = kind;
      this.#text = "";
      this.#leafAt = sc.end;
      sc.keepFrom = this.#leafAt;
      sc.skipBlank = false;
    } else {
      this.#fail(`Encountered unknown tag <${sc.name}>`, at);
    }
  }

  /**
   * The fast path for a whole leaf element found by the scanner's `peekElement` (`kind` is its
   * index in NAMES, or -1): takes it when it is legal where it stands and returns true; otherwise
   * returns false and the element is read (and refused) through the tokens.
   */
  #element(kind: number): boolean {
    if (!isLeaf(kind)) return false;
    const top = this.#stack[this.#stack.length - 1];
    if (top === undefined) return false;
    if (top.kind === DICT ? (kind === KEY) !== (top.key === undefined) : kind === KEY) return false;
    this.scanner.takeElement(kind);
    this.#plainLeaf(kind);
    return true;
  }

  #close(): void {
    const leaf = this.#leaf;
    if (leaf >= 0) {
      this.#leaf = -1;
      this.scanner.keepFrom = -1;
      this.scanner.skipBlank = true;
      const text = this.#text;
      this.#text = "";
      if (leaf === KEY) (this.#stack[this.#stack.length - 1] as Frame).key = this.#keys.intern(text, 0, text.length);
      else this.#add(leaf === STRING ? copyOf(text, 0, text.length) : this.#leafValue(leaf, text));
      return;
    }
    const frame = this.#stack.pop() as Frame;
    if (frame.kind === PLIST) {
      if (frame.value === undefined) this.#fail("Encountered empty <plist>: it must hold exactly one value", this.scanner.start);
      this.#setRoot(frame.value as OSValue);
    } else if (frame.kind === ARRAY) {
      this.#add(frame.array as OSValue[]);
    } else {
      if (frame.key !== undefined) this.#fail(`Value missing for key ${JSON.stringify(frame.key)} inside <dict>`, this.scanner.start);
      const d = frame.dict as OSDictionary;
      const uid = d.size === 1 ? d.get("CF$UID") : undefined;
      this.#add(uid instanceof OSNumber && uid.value >= 0n && uid.value <= 0xffffffffn ? new OSUID(Number(uid.value)) : d);
    }
  }

  #leafValue(leaf: number, text: string): OSValue {
    const name = NAMES[leaf] as string;
    switch (name) {
      case "true":
      case "false":
        if (!isWhitespace(text)) this.#failLeaf(`Encountered text inside <${name}/>`);
        return name === "true";
      case "integer":
        return parseXMLInteger(text) ?? this.#failLeaf(`Encountered misformatted integer ${JSON.stringify(text)}`);
      case "real":
        return parseXMLReal(text) ?? this.#failLeaf(`Encountered misformatted real ${JSON.stringify(text)}`);
      case "date":
        return parseXMLDate(text) ?? this.#failLeaf(`Could not interpret <date> ${JSON.stringify(text)}`);
      default:
        return decodeBase64(text, 0, text.length, this.#pool) ?? this.#failLeaf("Could not interpret <data>: invalid base64");
    }
  }

  /** A leaf whose content is one run of plain text, read from the scanner's window without slicing where possible. */
  #plainLeaf(leaf: number): void {
    const sc = this.scanner;
    const buf = sc.buffer;
    const s = sc.textStart;
    const e = sc.textEnd;
    if (leaf === KEY) {
      (this.#stack[this.#stack.length - 1] as Frame).key = this.#keys.intern(buf, s, e);
      return;
    }
    if (leaf === STRING) {
      // Short values repeat (class names, bundle identifiers): shared like keys, nothing allocated for a repeat.
      this.#add(e - s <= SHARED_STRING ? this.#strings.intern(buf, s, e) : copyOf(buf, s, e));
      return;
    }
    this.#leafAt = sc.textOffset;
    if (leaf === INTEGER) this.#add(parseXMLIntegerAt(buf, s, e) ?? this.#failLeaf(`Encountered misformatted integer ${JSON.stringify(buf.slice(s, e))}`));
    else if (leaf === REAL) this.#add(parseXMLRealAt(buf, s, e) ?? this.#failLeaf(`Encountered misformatted real ${JSON.stringify(buf.slice(s, e))}`));
    else if (leaf === DATA) this.#add(decodeBase64(buf, s, e, this.#pool) ?? this.#failLeaf("Could not interpret <data>: invalid base64"));
    else this.#add(this.#leafValue(leaf, buf.slice(s, e)));
  }

  #failLeaf(reason: string): never {
    return this.#fail(reason, this.#leafAt);
  }

  #add(value: OSValue): void {
    const top = this.#stack[this.#stack.length - 1];
    if (top === undefined) this.#setRoot(value);
    else if (top.kind === DICT) {
      (top.dict as OSDictionary).set(top.key as string, value);
      top.key = undefined;
    } else if (top.kind === ARRAY) (top.array as OSValue[]).push(value);
    else {
      if (top.value !== undefined) this.#fail("Encountered a second value inside <plist>, which holds exactly one", this.scanner.start);
      top.value = value;
    }
  }

  #setRoot(value: OSValue): void {
    this.#root = value;
    this.#hasRoot = true;
  }
}

/**
 * An incremental XML plist reader: `write()` chunks of text as they arrive, then `close()` for
 * the value. Errors carry line and column: the lines of text the scanner drops are counted as it
 * drops them.
 */
export class XMLPlistParser {
  readonly #lines = new LineCounter();
  readonly #reader = new PlistReader((text, base, to) => this.#lines.advance(text, base, to));

  /** Feeds the next chunk of the document. */
  write(chunk: string): this {
    try {
      this.#reader.write(chunk);
    } catch (err) {
      throw this.#locate(err);
    }
    return this;
  }

  /** Ends the document and returns its value. */
  close(): OSValue {
    try {
      return this.#reader.close();
    } catch (err) {
      throw this.#locate(err);
    }
  }

  #locate(err: unknown): unknown {
    if (!(err instanceof XMLScanFailure)) return err;
    const { text, base } = this.#reader.scanner.window;
    this.#lines.advance(text, base, err.offset);
    return new PlistSyntaxError(err.message, this.#lines.line, this.#lines.column);
  }
}

/** Decodes document bytes: UTF-8 (BOM optional) or UTF-16 with a BOM. */
function encodingOf(bytes: Uint8Array): string {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be";
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le";
  return "utf-8";
}

export function decodeXMLBytes(bytes: Uint8Array): string {
  const encoding = encodingOf(bytes);
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const text = new TextDecoder(encoding).decode(bytes);
    const at = text.indexOf("\uFFFD");
    const before = text.slice(0, at);
    const line = before.split("\n").length;
    throw new PlistSyntaxError(`Encountered invalid ${encoding.toUpperCase()} text`, line, at - before.lastIndexOf("\n"));
  }
}

const CHUNK = 1 << 16;

/**
 * Feeds a document to a reader. Bytes are decoded 64 KiB at a time, so the whole document never
 * exists as one string beside its bytes and its value (peak memory stays near the value), and
 * each chunk dies young.
 *
 * UTF-8 is cut at character boundaries and each piece decoded on its own: Node's streaming and
 * fatal decoders go through ICU and can hand back two-byte (external) strings even for ASCII
 * text, which doubles every window and every string copied out of one. The replacing decoder is
 * used instead; a U+FFFD in the text means bad bytes or a real U+FFFD, and one strict decode of
 * the whole input tells which and positions the bad bytes. A byte-order mark is left in the text
 * for the scanner, which skips it at the very start only.
 */
function feed(reader: PlistReader, input: string | Uint8Array): OSValue {
  if (typeof input === "string") {
    reader.write(input);
    return reader.close();
  }
  const encoding = encodingOf(input);
  const utf8 = encoding === "utf-8";
  const decoder = new TextDecoder(encoding, { ignoreBOM: true });
  let checked = false;
  for (let at = 0; at < input.length; ) {
    let end = Math.min(at + CHUNK, input.length);
    // Back off to the start of a UTF-8 sequence (continuation bytes are 10xxxxxx).
    if (utf8) for (let k = 0; k < 3 && end < input.length && end > at + 1 && ((input[end] as number) & 0xc0) === 0x80; k++) end--;
    const text = utf8 ? decoder.decode(input.subarray(at, end)) : decoder.decode(input.subarray(at, end), { stream: end < input.length });
    if (!checked && text.includes("\uFFFD")) {
      decodeXMLBytes(input);
      checked = true;
    }
    reader.write(text);
    at = end;
  }
  return reader.close();
}

/**
 * Reads an XML property list.
 *
 * @param input the document, as text or as bytes (UTF-8, or UTF-16 with a byte-order mark)
 * @returns the root value
 * @throws {PlistSyntaxError} on malformed XML or a malformed plist, with line and column
 */
export function parseXMLPlist(input: string | Uint8Array): OSValue {
  try {
    return feed(new PlistReader(), input);
  } catch (err) {
    if (!(err instanceof XMLScanFailure)) throw err;
    // The document decoded (else feed threw the encoding error): count lines up to the failure.
    const lines = new LineCounter();
    lines.advance(typeof input === "string" ? input : decodeXMLBytes(input), 0, err.offset);
    throw new PlistSyntaxError(err.message, lines.line, lines.column);
  }
}
