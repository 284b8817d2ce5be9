/**
 * The XML property-list reader (Apple's `<!DOCTYPE plist …>` format, as CFPropertyList and
 * plistlib read it).
 *
 * Mechanism: saxes tokenizes (well-formedness, the five predefined entities, numeric character
 * references, CDATA, comments, line-ending normalization); {@link XMLPlistParser} turns its events
 * into an {@link OSValue} with an explicit stack of open containers, so a document nested 100,000
 * deep costs heap, never call stack. Leaf elements collect their text (CDATA and text split by
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
 * Speed: the one-shot {@link parseXMLPlist} runs saxes without position tracking and, only when
 * the document turns out to be bad, parses it again with tracking to report line and column.
 */
import { SaxesParser } from "saxes";
import { BugError } from "../../base/index.ts";
import { OSNumber, OSUID, type OSDictionary, type OSValue } from "../../libkern/index.ts";
import { decodeBase64 } from "./base64.ts";
import { PlistSyntaxError } from "./PlistSyntaxError.ts";
import { parseXMLDate, parseXMLInteger, parseXMLReal } from "./xmlScalars.ts";

interface Frame {
  readonly tag: "plist" | "dict" | "array";
  readonly array: OSValue[] | undefined;
  readonly dict: OSDictionary | undefined;
  key: string | undefined;
  /** The `<plist>` frame's single value. */
  value: OSValue | undefined;
}

const LEAVES = new Set(["key", "string", "integer", "real", "date", "data", "true", "false"]);

/**
 * A string that does not pin saxes' input chunk. saxes hands out text as slices of the chunk it
 * was given, and V8 represents a slice of 13 or more characters as a view that keeps the whole
 * chunk alive: kept as is, the value tree would pin the entire document text. Concatenation then
 * slice forces a flat copy of just this text; V8 always copies shorter slices.
 */
function detach(text: string): string {
  return text.length < 13 ? text : `${text} `.slice(0, -1);
}

/** Thrown inside the fast path to ask for a position-tracking re-parse; never escapes. */
class Relocate extends Error {}

function isWhitespace(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/**
 * An incremental XML plist reader: `write()` chunks of text as they arrive, then `close()` for
 * the value. Positions are tracked, so errors carry line and column.
 */
export class XMLPlistParser {
  readonly #sax: SaxesParser;
  readonly #stack: Frame[] = [];
  readonly #track: boolean;
  #root: OSValue | undefined;
  #hasRoot = false;
  #leaf: string | undefined;
  #text = "";
  /** Every distinct `<key>` text of the document, detached (see {@link #intern}). */
  readonly #strings = new Map<string, string>();
  #leafLine = 0;
  #leafColumn = 0;
  /** Where the last markup ended: text errors are reported from there. */
  #markLine = 1;
  #markColumn = 1;

  constructor(options: { position?: boolean } = {}) {
    this.#track = options.position ?? true;
    const sax = new SaxesParser({ position: this.#track });
    this.#sax = sax;
    sax.on("error", (err) => this.#fail(`Encountered malformed XML: ${err.message.replace(/^\d+:\d+: /, "").replace(/\.$/, "")}`));
    sax.on("doctype", (doctype) => {
      if (/<!ENTITY/i.test(doctype)) this.#fail("Encountered DTD entity declarations, which property lists do not support (entities are never expanded)");
    });
    sax.on("opentag", (tag) => {
      this.#open(tag);
      this.#markEnd();
    });
    sax.on("closetag", (tag) => {
      this.#close(tag);
      this.#markEnd();
    });
    sax.on("comment", () => this.#markEnd());
    sax.on("text", (text) => this.#onText(text, false));
    sax.on("cdata", (text) => this.#onText(text, true));
  }

  /** Feeds the next chunk of the document. */
  write(chunk: string): this {
    this.#sax.write(chunk);
    return this;
  }

  /** Ends the document and returns its value. */
  close(): OSValue {
    this.#sax.close();
    if (!this.#hasRoot) this.#fail("Encountered unexpected EOF: the document holds no property-list value");
    return this.#root as OSValue;
  }

  #fail(reason: string, line?: number, column?: number): never {
    if (!this.#track) throw new Relocate(reason);
    throw new PlistSyntaxError(reason, line ?? this.#sax.line, column ?? this.#sax.column + 1);
  }

  #markEnd(): void {
    if (this.#track) {
      this.#markLine = this.#sax.line;
      this.#markColumn = this.#sax.column + 1;
    }
  }

  #onText(text: string, cdata: boolean): void {
    if (this.#leaf !== undefined) this.#text += text;
    else if (!isWhitespace(text)) {
      // Walk from the end of the last markup to the first non-blank character.
      let line = this.#markLine;
      let column = this.#markColumn;
      let i = 0;
      for (; i < text.length && isWhitespace(text[i] as string); i++) {
        if (text[i] === "\n") {
          line++;
          column = 1;
        } else column++;
      }
      const what = cdata ? "CDATA" : `character ${JSON.stringify(text[i])}`;
      this.#fail(`Encountered unexpected ${what} outside a value element`, line, column);
    }
  }

  #open(tag: { readonly name: string }): void {
    const name = tag.name;
    if (this.#leaf !== undefined) this.#fail(`Encountered element <${name}> inside <${this.#leaf}>, which holds text only`);
    const top = this.#stack[this.#stack.length - 1];
    if (name === "plist") {
      if (this.#stack.length > 0 || this.#hasRoot) this.#fail("Encountered <plist> that is not the document element");
      this.#stack.push({ tag: "plist", array: undefined, dict: undefined, key: undefined, value: undefined });
      return;
    }
    if (top?.tag === "dict") {
      if (name === "key") {
        if (top.key !== undefined) this.#fail(`Value missing for key ${JSON.stringify(top.key)} inside <dict>`);
      } else if (top.key === undefined) {
        this.#fail(`Found non-key <${name}> inside <dict> where a <key> was expected`);
      }
    } else if (name === "key") {
      this.#fail("Encountered <key> outside a <dict>");
    }
    if (name === "dict") {
      this.#stack.push({ tag: "dict", array: undefined, dict: new Map(), key: undefined, value: undefined });
    } else if (name === "array") {
      this.#stack.push({ tag: "array", array: [], dict: undefined, key: undefined, value: undefined });
    } else if (LEAVES.has(name)) {
      this.#leaf = name;
      this.#text = "";
      if (this.#track) {
        this.#leafLine = this.#sax.line;
        this.#leafColumn = this.#sax.column + 1;
      }
    } else {
      this.#fail(`Encountered unknown tag <${name}>`);
    }
  }

  #close(tag: { readonly name: string }): void {
    const name = tag.name;
    const leaf = this.#leaf;
    if (leaf !== undefined) {
      this.#leaf = undefined;
      const text = this.#text;
      this.#text = "";
      if (leaf === "key") {
        (this.#stack[this.#stack.length - 1] as Frame).key = this.#intern(text);
        return;
      }
      this.#add(leaf === "string" ? detach(text) : this.#leafValue(leaf, text));
      return;
    }
    const frame = this.#stack.pop() as Frame;
    if (name === "plist") {
      if (frame.value === undefined) this.#fail("Encountered empty <plist>: it must hold exactly one value");
      this.#setRoot(frame.value as OSValue);
    } else if (name === "array") {
      this.#add(frame.array as OSValue[]);
    } else {
      if (frame.key !== undefined) this.#fail(`Value missing for key ${JSON.stringify(frame.key)} inside <dict>`);
      const d = frame.dict as OSDictionary;
      const uid = d.size === 1 ? d.get("CF$UID") : undefined;
      this.#add(uid instanceof OSNumber && uid.value >= 0n && uid.value <= 0xffffffffn ? new OSUID(Number(uid.value)) : d);
    }
  }

  #leafValue(leaf: string, text: string): OSValue {
    switch (leaf) {
      case "string":
        return text;
      case "true":
      case "false":
        if (!isWhitespace(text)) this.#failLeaf(`Encountered text inside <${leaf}/>`);
        return leaf === "true";
      case "integer":
        return parseXMLInteger(text) ?? this.#failLeaf(`Encountered misformatted integer ${JSON.stringify(text)}`);
      case "real":
        return parseXMLReal(text) ?? this.#failLeaf(`Encountered misformatted real ${JSON.stringify(text)}`);
      case "date":
        return parseXMLDate(text) ?? this.#failLeaf(`Could not interpret <date> ${JSON.stringify(text)}`);
      default:
        return decodeBase64(text) ?? this.#failLeaf("Could not interpret <data>: invalid base64");
    }
  }

  /** The one copy of a key's text kept in the result: keys repeat in every dictionary, so sharing them shrinks the tree and lets the duplicates die young. */
  #intern(text: string): string {
    let s = this.#strings.get(text);
    if (s === undefined) {
      s = detach(text);
      this.#strings.set(s, s);
    }
    return s;
  }

  #failLeaf(reason: string): never {
    return this.#fail(reason, this.#leafLine, this.#leafColumn);
  }

  #add(value: OSValue): void {
    const top = this.#stack[this.#stack.length - 1];
    if (top === undefined) this.#setRoot(value);
    else if (top.tag === "array") (top.array as OSValue[]).push(value);
    else if (top.tag === "dict") {
      (top.dict as OSDictionary).set(top.key as string, value);
      top.key = undefined;
    } else {
      if (top.value !== undefined) this.#fail("Encountered a second value inside <plist>, which holds exactly one");
      top.value = value;
    }
  }

  #setRoot(value: OSValue): void {
    this.#root = value;
    this.#hasRoot = true;
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
 * Feeds a document to a parser. Bytes are decoded a megabyte at a time, so the whole document
 * never exists as one string beside its bytes and its value (peak memory stays near the value).
 */
function feed(parser: XMLPlistParser, input: string | Uint8Array): OSValue {
  if (typeof input === "string") return parser.write(input).close();
  const decoder = new TextDecoder(encodingOf(input), { fatal: true, ignoreBOM: false });
  for (let at = 0; at < input.length; at += CHUNK) {
    let text: string;
    try {
      text = decoder.decode(input.subarray(at, at + CHUNK), { stream: at + CHUNK < input.length });
    } catch {
      decodeXMLBytes(input); // throws the positioned encoding error
      throw new BugError("streaming decode failed where a whole decode succeeded");
    }
    parser.write(text);
  }
  return parser.close();
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
    return feed(new XMLPlistParser({ position: false }), input);
  } catch (err) {
    if (!(err instanceof Relocate)) throw err;
  }
  feed(new XMLPlistParser({ position: true }), input);
  // The tracking parse reads the same text the same way, so it must have thrown.
  throw new BugError("XML plist re-parse with positions accepted a document the fast parse refused");
}
