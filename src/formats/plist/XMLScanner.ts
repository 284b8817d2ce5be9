/**
 * The XML tokenizer of the property-list reader: the subset of XML that plists use, scanned with
 * `indexOf` and `charCodeAt` on decoded text, one pull at a time ({@link XMLScanner.next}).
 *
 * Mechanism. Text arrives in chunks ({@link XMLScanner.write}) and is scanned in a window: the
 * unconsumed tail of the previous window plus the chunks written since. A token is only returned
 * once it is complete in the window (text once the next `<` is seen); an incomplete one stays at
 * the head of the window and is rescanned from its start when more text arrives. To keep that
 * linear, the window is only rebuilt once the pending chunks are at least as long as the carried
 * tail, so a token spanning many chunks is rescanned O(log n) times over geometrically growing
 * windows. Comments, processing instructions and the DOCTYPE are consumed here; elements, text and
 * CDATA are returned as tokens. Character data is decoded lazily ({@link XMLScanner.text}): a run
 * with no `&` and no CR is one slice, found through cached `indexOf` positions.
 *
 * What is accepted, the union of what Core Foundation's parser and a conforming XML parser
 * accept (a plist one of them reads must read here):
 * - the five predefined entities and decimal/hex character references to XML characters; any other
 *   reference is an error; DTD entity declarations are refused, never expanded;
 * - comments may contain `--` (CF only looks for `-->`); processing instructions, the XML
 *   declaration included, are skipped wherever they appear; one or more DOCTYPEs before the root;
 * - attributes are skipped (CF never reads them); a quoted value may contain `>`;
 * - CR LF and lone CR read as LF in character data (XML's line-end normalization, as plistlib);
 *   characters are not checked against XML's Char production (CF does not either).
 * Well-formedness: tags must nest and match, one root element, nothing unterminated.
 *
 * Errors are {@link XMLScanFailure}s at an absolute character offset; the reader maps the offset to
 * a line and column ({@link LineCounter}) only when it fails, so scanning never counts lines.
 */

import { sameAt } from "./StringTable.ts";

/** What {@link XMLScanner.next} found. */
export const XML_TOKEN = { more: 0, end: 1, open: 2, close: 3, text: 4, cdata: 5 } as const;
export type XMLToken = (typeof XML_TOKEN)[keyof typeof XML_TOKEN];

/** A malformed document, at an absolute character offset of the decoded text. Never escapes the reader. */
export class XMLScanFailure extends Error {
  readonly offset: number;

  constructor(reason: string, offset: number) {
    super(reason);
    this.name = "XMLScanFailure";
    this.offset = offset;
  }
}

const { more: MORE, end: END, open: OPEN, close: CLOSE, text: TEXT, cdata: CDATA } = XML_TOKEN;
/** Internal: a construct was consumed, scan on. */
const SKIP = -1;
const NONE = Number.MAX_SAFE_INTEGER;
/** How many characters of a new chunk a short carried tail is joined to (see `#refill`). */
const BRIDGE = 1024;
const LF = 10;
const CR = 13;
const LT = 60;
const GT = 62;
const AMP = 38;
const SEMI = 59;
const SLASH = 47;
const DQUOTE = 34;
const SQUOTE = 39;

const isSpace = (c: number): boolean => c === 32 || c === LF || c === 9 || c === CR;
const isXMLChar = (v: number): boolean =>
  v === 9 || v === LF || v === CR || (v >= 0x20 && v <= 0xd7ff) || (v >= 0xe000 && v <= 0xfffd) || (v >= 0x10000 && v <= 0x10ffff);
const MALFORMED = "Encountered malformed XML: ";
/** A name's slot in the first-guess table, from its first and last characters and its length. */
const nameSlot = (first: number, last: number, length: number): number => (first * 5 + last * 11 + length * 17) & 255;

/** Options of an {@link XMLScanner}. */
export interface XMLScannerOptions {
  /** Element names recognised without allocating: a token's `name` is then this very string. */
  readonly names?: readonly string[];
  /** Called before window text is dropped: `text` starts at absolute offset `base`, and text before absolute `to` goes. For a caller that counts lines. */
  readonly onDiscard?: (text: string, base: number, to: number) => void;
}

/** A pull tokenizer over chunks of XML text; see the module comment. */
export class XMLScanner {
  #buf = "";
  /** Absolute offset of `#buf[0]`. */
  #base = 0;
  #pos = 0;
  #pending: string[] = [];
  #pendingLength = 0;
  #final = false;
  /** While scanning a bridge: the whole chunk, which starts at `#restAt` in the window. */
  #rest: string | undefined;
  #restAt = 0;
  /** Cached index of the next `&` / CR at or after `#ampFrom` / `#crFrom` (NONE: none in the window). */
  #amp = -1;
  #ampFrom = 0;
  #cr = -1;
  #crFrom = 0;
  /** Where the last entity reference ended (set by `#entity`). */
  #after = 0;
  readonly #names: string[];
  /** Per {@link nameSlot}: 1 + the index of the name to try first there, or 0. */
  readonly #nameSlots = new Uint8Array(256);
  readonly #onDiscard: ((text: string, base: number, to: number) => void) | undefined;
  /** Names of the open elements, innermost last. */
  readonly #open: string[] = [];
  #rootSeen = false;
  #textStart = 0;
  #textEnd = 0;
  #cdata = false;
  /** What the last {@link peekElement} found: where its token starts, its text range, whether it is empty. */
  #peekAt = 0;
  #peekText = 0;
  #peekEnd = 0;
  #peekSelf = false;

  /** Absolute offset the caller will still report positions from (kept in the window), or -1. */
  keepFrom = -1;
  /** When set, whitespace-only text is consumed without a token (text between elements). */
  skipBlank = true;
  /** The last token's absolute start and end offsets. */
  start = 0;
  end = 0;
  /** The element name of the last `open` or `close` token. */
  name = "";
  /** The last `open` token's name as an index into the `names` option (registered names first), or -1. */
  nameIndex = -1;
  /** Whether the last `open` token was an empty-element tag (`<true/>`). */
  selfClosing = false;

  constructor(options: XMLScannerOptions = {}) {
    this.#names = [...(options.names ?? [])];
    for (let i = 0; i < this.#names.length; i++) this.#register(i);
    this.#onDiscard = options.onDiscard;
  }

  /** The current window and the absolute offset of its first character (for line counting). */
  get window(): { readonly text: string; readonly base: number } {
    return { text: this.#buf, base: this.#base };
  }

  /** Adds the next chunk of the document. */
  write(chunk: string): void {
    if (chunk.length === 0) return;
    this.#pending.push(chunk);
    this.#pendingLength += chunk.length;
  }

  /** Marks the end of the document: what is incomplete now is unterminated. */
  close(): void {
    this.#final = true;
  }

  /** The next token, `more` when the written text ends inside one, `end` after a complete document. */
  next(): XMLToken {
    for (;;) {
      if (this.#rest !== undefined && this.#pos >= this.#restAt && (this.keepFrom < 0 || this.keepFrom >= this.#base + this.#restAt)) {
        this.#leaveBridge();
      }
      const t = this.#scan();
      if (t !== MORE) return t as XMLToken;
      if (this.#rest !== undefined) {
        if (this.#pos < this.#restAt || (this.keepFrom >= 0 && this.keepFrom < this.#base + this.#restAt)) {
          // The carried token runs past the bridge: scan it in the carry joined to the whole chunk.
          this.#buf = this.#buf.slice(0, this.#restAt) + this.#rest;
          this.#rest = undefined;
          this.#amp = this.#cr = -1;
        }
        continue;
      }
      if (this.#pendingLength === 0 || (!this.#final && this.#pendingLength < this.#buf.length - this.#pos)) return MORE;
      this.#refill();
    }
  }

  /** The scanned text: with {@link textStart} and {@link textEnd}, the raw range of the last `text` token. */
  get buffer(): string {
    return this.#buf;
  }

  /** Where the last `text`/`cdata` token's content starts in {@link buffer}. */
  get textStart(): number {
    return this.#textStart;
  }

  /** Where the last `text`/`cdata` token's content ends in {@link buffer}. */
  get textEnd(): number {
    return this.#textEnd;
  }

  /** Absolute offset where the last `text`/`cdata` token's content starts. */
  get textOffset(): number {
    return this.#base + this.#textStart;
  }

  /**
   * The fast path for a whole leaf element, ahead of {@link next}: when the next markup (after
   * blank text) is a registered element inside the root, without attributes, either empty
   * (`<true/>`) or holding plain text (no markup, `&` or CR) directly followed by its end tag,
   * returns its index in the `names` option and remembers its extent; {@link takeElement} then
   * consumes it, setting what `next` and {@link leaf} would have set (`start`/`end` are the end
   * tag's, or the empty-element tag's). Otherwise returns -1, and `next` scans as usual. Nothing
   * is consumed by this call.
   */
  peekElement(): number {
    if (!this.skipBlank || this.#open.length === 0) return -1;
    const buf = this.#buf;
    const len = buf.length;
    let p = this.#pos;
    while (p < len && isSpace(buf.charCodeAt(p))) p++;
    if (p + 1 >= len || buf.charCodeAt(p) !== LT) return -1;
    const first = buf.charCodeAt(p + 1);
    if (first === SLASH || first === 33 /* ! */ || first === 63 /* ? */) return -1;
    let q = p + 1;
    for (; q < len; q++) {
      const ch = buf.charCodeAt(q);
      if (ch === GT || ch === SLASH || ch === LT || isSpace(ch)) break;
    }
    if (q >= len || q === p + 1) return -1;
    const index = this.#name(p + 1, q);
    if (index < 0) return -1;
    const c = buf.charCodeAt(q);
    if (c === SLASH) {
      if (buf.charCodeAt(q + 1) !== GT) return -1;
      this.#peekAt = p;
      this.#peekText = q + 2;
      this.#peekEnd = q + 2;
      this.#peekSelf = true;
      return index;
    }
    if (c !== GT) return -1;
    const name = this.#names[index] as string;
    const e = buf.indexOf("<", q + 1);
    if (e < 0 || buf.charCodeAt(e + 1) !== SLASH || buf.charCodeAt(e + 2 + name.length) !== GT || !sameAt(buf, e + 2, name)) return -1;
    if (this.#nextAmp(q + 1) < e || this.#nextCR(q + 1) < e) return -1;
    this.#peekAt = e;
    this.#peekText = q + 1;
    this.#peekEnd = e;
    this.#peekSelf = false;
    return index;
  }

  /** Consumes the element the last {@link peekElement} found; its content is [{@link textStart}, {@link textEnd}) of {@link buffer}. */
  takeElement(index: number): void {
    this.name = this.#names[index] as string;
    this.nameIndex = index;
    this.selfClosing = this.#peekSelf;
    this.#textStart = this.#peekText;
    this.#textEnd = this.#peekEnd;
    this.#cdata = false;
    const end = this.#peekSelf ? this.#peekEnd : this.#peekEnd + 3 + this.name.length;
    this.#token(this.#peekAt, end);
  }

  /**
   * The fast path for a leaf element, right after its `open` token (not an empty-element tag): when
   * its content is plain text (no markup, `&` or CR) directly followed by its end tag, consumes
   * both and returns true; the content is then the range [{@link textStart}, {@link textEnd}) of
   * {@link buffer}, and `start`/`end` are the end tag's. Otherwise consumes nothing.
   */
  leaf(): boolean {
    const buf = this.#buf;
    const p = this.#pos;
    const name = this.name;
    const e = buf.indexOf("<", p);
    if (e < 0 || buf.charCodeAt(e + 1) !== SLASH || buf.charCodeAt(e + 2 + name.length) !== GT || !sameAt(buf, e + 2, name)) return false;
    if (this.#nextAmp(p) < e || this.#nextCR(p) < e) return false;
    this.#textStart = p;
    this.#textEnd = e;
    this.#cdata = false;
    this.#open.pop();
    this.#token(e, e + 3 + name.length);
    return true;
  }

  /** The character data of the last `text` or `cdata` token: entities decoded, line ends normalized. */
  text(): string {
    const s = this.#textStart;
    const e = this.#textEnd;
    if (this.#nextCR(s) >= e && (this.#cdata || this.#nextAmp(s) >= e)) return this.#buf.slice(s, e);
    return this.#decode(s, e);
  }

  /** Absolute offset of the first non-blank character of the last `text` or `cdata` token, or -1. */
  firstNonBlank(): number {
    const buf = this.#buf;
    for (let i = this.#textStart; i < this.#textEnd; i++) {
      const c = buf.charCodeAt(i);
      if (isSpace(c)) continue;
      if (c !== AMP || this.#cdata) return this.#base + i;
      const ch = this.#entity(i, this.#textEnd);
      if (ch.length !== 1 || !isSpace(ch.charCodeAt(0))) return this.#base + i;
      i = this.#after - 1;
    }
    return -1;
  }

  #fail(reason: string, at: number): never {
    throw new XMLScanFailure(reason, this.#base + at);
  }

  /**
   * Starts the next window: the unconsumed tail (or what `keepFrom` keeps) plus the pending chunks.
   * A short tail is not copied in front of a whole chunk: it is joined to the chunk's first
   * characters only (a bridge), and once the scan is past the tail the window becomes the chunk
   * itself ({@link #leaveBridge}), so decoded text is not copied a second time.
   */
  #refill(): void {
    const buf = this.#buf;
    const keep = this.keepFrom < 0 ? this.#pos : Math.max(0, Math.min(this.#pos, this.keepFrom - this.#base));
    if (keep > 0) this.#onDiscard?.(buf, this.#base, this.#base + keep);
    const add = this.#pending.length === 1 ? (this.#pending[0] as string) : this.#pending.join("");
    const carry = buf.length - keep;
    if (carry === 0) this.#buf = add;
    else if (carry < BRIDGE && add.length > 4 * BRIDGE) {
      this.#buf = buf.slice(keep) + add.slice(0, BRIDGE);
      this.#rest = add;
      this.#restAt = carry;
    } else this.#buf = buf.slice(keep) + add;
    if (this.#base === 0 && keep === 0 && this.#pos === 0 && this.#buf.charCodeAt(0) === 0xfeff) this.#pos = 1;
    else this.#pos -= keep;
    this.#base += keep;
    this.#pending = [];
    this.#pendingLength = 0;
    this.#amp = this.#cr = -1;
  }

  /** The scan is past the bridge's carried tail: continue in the chunk itself. */
  #leaveBridge(): void {
    const at = this.#restAt;
    this.#onDiscard?.(this.#buf, this.#base, this.#base + at);
    this.#buf = this.#rest as string;
    this.#rest = undefined;
    this.#pos -= at;
    this.#base += at;
    this.#amp = this.#cr = -1;
  }

  #nextAmp(i: number): number {
    if (i < this.#ampFrom || this.#amp < i) {
      const x = this.#buf.indexOf("&", i);
      this.#ampFrom = i;
      this.#amp = x < 0 ? NONE : x;
    }
    return this.#amp;
  }

  #nextCR(i: number): number {
    if (i < this.#crFrom || this.#cr < i) {
      const x = this.#buf.indexOf("\r", i);
      this.#crFrom = i;
      this.#cr = x < 0 ? NONE : x;
    }
    return this.#cr;
  }

  #scan(): number {
    const buf = this.#buf;
    const len = buf.length;
    const atEnd = this.#final && this.#pendingLength === 0 && this.#rest === undefined;
    for (;;) {
      let p = this.#pos;
      if (p >= len) return atEnd ? this.#eof() : MORE;
      if (buf.charCodeAt(p) !== LT) {
        if (this.skipBlank) {
          while (p < len && isSpace(buf.charCodeAt(p))) p++;
          if (p < len && buf.charCodeAt(p) === LT) {
            this.#pos = p;
            continue;
          }
          if (p >= len && !atEnd) return MORE;
          p = this.#pos;
        }
        let e = buf.indexOf("<", p);
        if (e < 0) {
          if (!atEnd) return MORE;
          e = len;
        }
        this.#textStart = p;
        this.#textEnd = e;
        this.#cdata = false;
        this.#token(p, e);
        return TEXT;
      }
      if (p + 1 >= len) return atEnd ? this.#fail(`${MALFORMED}the document ends inside a tag`, p) : MORE;
      const c = buf.charCodeAt(p + 1);
      let t: number;
      if (c === SLASH) t = this.#endTag(p, atEnd);
      else if (c === 33 /* ! */) t = this.#declaration(p, atEnd);
      else if (c === 63 /* ? */) t = this.#skipTo(p, p + 2, "?>", "processing instruction", atEnd);
      else t = this.#startTag(p, atEnd);
      if (t !== SKIP) return t;
    }
  }

  #token(from: number, to: number): void {
    this.start = this.#base + from;
    this.end = this.#base + to;
    this.#pos = to;
  }

  #eof(): number {
    const top = this.#open[this.#open.length - 1];
    if (top !== undefined) this.#fail(`${MALFORMED}the document ends before </${top}>`, this.#buf.length);
    if (!this.#rootSeen) this.#fail(`${MALFORMED}the document holds no element`, this.#buf.length);
    return END;
  }

  /** Consumes a construct from `p` through the next `close` searched from `from`. */
  #skipTo(p: number, from: number, close: string, what: string, atEnd: boolean): number {
    const e = this.#buf.indexOf(close, from);
    if (e < 0) return atEnd ? this.#fail(`${MALFORMED}unterminated ${what}`, p) : MORE;
    this.#pos = e + close.length;
    return SKIP;
  }

  /** 1 when `lit` is at `p`, 0 when it is not, -1 when the window ends before that is known. */
  #at(p: number, lit: string): number {
    const buf = this.#buf;
    for (let k = 0; k < lit.length; k++) {
      if (p + k >= buf.length) return -1;
      if (buf.charCodeAt(p + k) !== lit.charCodeAt(k)) return 0;
    }
    return 1;
  }

  #startTag(p: number, atEnd: boolean): number {
    const buf = this.#buf;
    const len = buf.length;
    let q = p + 1;
    for (; q < len; q++) {
      const ch = buf.charCodeAt(q);
      if (ch === GT || ch === SLASH || ch === LT || isSpace(ch)) break;
    }
    if (q === p + 1) this.#fail(`${MALFORMED}'<' that starts no tag`, p);
    const nameEnd = q;
    // Attributes are skipped up to the '>' that is outside quotes.
    for (;;) {
      if (q >= len) return atEnd ? this.#fail(`${MALFORMED}unterminated <${buf.slice(p + 1, nameEnd)}> tag`, p) : MORE;
      const ch = buf.charCodeAt(q);
      if (ch === GT) break;
      if (ch === DQUOTE || ch === SQUOTE) {
        const e = buf.indexOf(ch === DQUOTE ? '"' : "'", q + 1);
        if (e < 0) return atEnd ? this.#fail(`${MALFORMED}unterminated attribute value in <${buf.slice(p + 1, nameEnd)}>`, q) : MORE;
        q = e + 1;
        continue;
      }
      if (ch === LT) this.#fail(`${MALFORMED}'<' inside the <${buf.slice(p + 1, nameEnd)}> tag`, q);
      q++;
    }
    const index = this.#name(p + 1, nameEnd);
    const name = index >= 0 ? (this.#names[index] as string) : buf.slice(p + 1, nameEnd);
    if (this.#rootSeen && this.#open.length === 0) this.#fail(`${MALFORMED}element <${name}> after the root element`, p);
    this.#rootSeen = true;
    this.selfClosing = q - 1 >= nameEnd && buf.charCodeAt(q - 1) === SLASH;
    if (!this.selfClosing) this.#open.push(name);
    this.name = name;
    this.nameIndex = index;
    this.#token(p, q + 1);
    return OPEN;
  }

  #endTag(p: number, atEnd: boolean): number {
    const buf = this.#buf;
    const len = buf.length;
    let q = p + 2;
    for (; q < len; q++) {
      const ch = buf.charCodeAt(q);
      if (ch === GT || ch === LT || isSpace(ch)) break;
    }
    const nameEnd = q;
    while (q < len && isSpace(buf.charCodeAt(q))) q++;
    if (q >= len) return atEnd ? this.#fail(`${MALFORMED}unterminated </${buf.slice(p + 2, nameEnd)}> tag`, p) : MORE;
    if (buf.charCodeAt(q) !== GT) this.#fail(`${MALFORMED}unexpected character in end tag </${buf.slice(p + 2, nameEnd)}>`, q);
    const top = this.#open[this.#open.length - 1];
    if (top === undefined) this.#fail(`${MALFORMED}end tag </${buf.slice(p + 2, nameEnd)}> without a start tag`, p);
    if (top.length !== nameEnd - p - 2 || !sameAt(buf, p + 2, top)) this.#fail(`${MALFORMED}end tag </${buf.slice(p + 2, nameEnd)}> does not match <${top}>`, p);
    this.#open.pop();
    this.name = top;
    this.#token(p, q + 1);
    return CLOSE;
  }

  /** `<!--`, `<![CDATA[` or `<!DOCTYPE` at `p`. */
  #declaration(p: number, atEnd: boolean): number {
    let m = this.#at(p, "<!--");
    if (m === 1) return this.#skipTo(p, p + 4, "-->", "comment", atEnd);
    const cdata = this.#at(p, "<![CDATA[");
    if (cdata === 1) {
      const e = this.#buf.indexOf("]]>", p + 9);
      if (e < 0) return atEnd ? this.#fail(`${MALFORMED}unterminated CDATA section`, p) : MORE;
      this.#textStart = p + 9;
      this.#textEnd = e;
      this.#cdata = true;
      this.#token(p, e + 3);
      return CDATA;
    }
    const doctype = this.#at(p, "<!DOCTYPE");
    if (doctype === 1) return this.#doctype(p, atEnd);
    m = Math.min(m, cdata, doctype);
    if (m < 0 && !atEnd) return MORE;
    return this.#fail(`${MALFORMED}'<!' that starts no comment, CDATA section or DOCTYPE`, p);
  }

  /** The DOCTYPE: quoted literals, and an internal subset whose comments and PIs are skipped and whose entity declarations are refused. */
  #doctype(p: number, atEnd: boolean): number {
    if (this.#rootSeen) this.#fail(`${MALFORMED}DOCTYPE after the root element`, p);
    const buf = this.#buf;
    const unterminated = (): number => (atEnd ? this.#fail(`${MALFORMED}unterminated DOCTYPE`, p) : MORE);
    let subset = false;
    for (let q = p + 9; ; ) {
      if (q >= buf.length) return unterminated();
      const ch = buf.charCodeAt(q);
      if (ch === DQUOTE || ch === SQUOTE) {
        const e = buf.indexOf(ch === DQUOTE ? '"' : "'", q + 1);
        if (e < 0) return unterminated();
        q = e + 1;
      } else if (!subset) {
        if (ch === GT) {
          this.#pos = q + 1;
          return SKIP;
        }
        if (ch === 91 /* [ */) subset = true;
        q++;
      } else if (ch === 93 /* ] */) {
        subset = false;
        q++;
      } else if (ch === LT) {
        const close = this.#at(q, "<!--") === 1 ? "-->" : this.#at(q, "<?") === 1 ? "?>" : undefined;
        if (close !== undefined) {
          const e = buf.indexOf(close, q + 2);
          if (e < 0) return unterminated();
          q = e + close.length;
          continue;
        }
        if (q + 8 > buf.length) return unterminated();
        if (buf.slice(q, q + 8).toUpperCase() === "<!ENTITY") {
          this.#fail("Encountered DTD entity declarations, which property lists do not support (entities are never expanded)", q);
        }
        q++;
      } else q++;
    }
  }

  /** The index in the name table of the element name at [s, e) (registered on first sight while the table is small), or -1. */
  #name(s: number, e: number): number {
    const buf = this.#buf;
    const slot = nameSlot(buf.charCodeAt(s), buf.charCodeAt(e - 1), e - s);
    const guess = (this.#nameSlots[slot] as number) - 1;
    if (guess >= 0 && this.#nameIs(guess, s, e)) return guess;
    const names = this.#names;
    for (let i = 0; i < names.length; i++) if (this.#nameIs(i, s, e)) return i;
    if (names.length >= 32) return -1;
    names.push(buf.slice(s, e));
    this.#register(names.length - 1);
    return names.length - 1;
  }

  #nameIs(i: number, s: number, e: number): boolean {
    const x = this.#names[i] as string;
    return x.length === e - s && sameAt(this.#buf, s, x);
  }

  /** Makes name `i` the first guess of its slot, unless an earlier name holds it. */
  #register(i: number): void {
    const x = this.#names[i] as string;
    const slot = nameSlot(x.charCodeAt(0), x.charCodeAt(x.length - 1), x.length);
    if (this.#nameSlots[slot] === 0) this.#nameSlots[slot] = i + 1;
  }

  #decode(s: number, e: number): string {
    const buf = this.#buf;
    let out = "";
    for (let i = s; ; ) {
      const a = this.#cdata ? NONE : this.#nextAmp(i);
      const r = this.#nextCR(i);
      const k = a < r ? a : r;
      if (k >= e) return out + buf.slice(i, e);
      out += buf.slice(i, k);
      if (k === r) {
        out += "\n";
        i = k + 1;
        if (i < e && buf.charCodeAt(i) === LF) i++;
      } else {
        out += this.#entity(k, e);
        i = this.#after;
      }
    }
  }

  /** The character of the entity or character reference at `k` (an `&`, before `e`); sets `#after`. */
  #entity(k: number, e: number): string {
    const buf = this.#buf;
    let j = k + 1;
    if (j < e && buf.charCodeAt(j) === 35 /* # */) {
      const hex = j + 1 < e && buf.charCodeAt(j + 1) === 0x78; /* x */
      j += hex ? 2 : 1;
      const digits = j;
      let v = 0;
      for (; j < e; j++) {
        const c = buf.charCodeAt(j);
        const d = c >= 48 && c <= 57 ? c - 48 : hex && c >= 97 && c <= 102 ? c - 87 : hex && c >= 65 && c <= 70 ? c - 55 : -1;
        if (d < 0) break;
        v = Math.min(v * (hex ? 16 : 10) + d, 0x110000);
      }
      if (j === digits || j >= e || buf.charCodeAt(j) !== SEMI || !isXMLChar(v)) {
        this.#fail(`${MALFORMED}invalid character reference ${JSON.stringify(buf.slice(k, Math.min(j + 1, e)))}`, k);
      }
      this.#after = j + 1;
      return String.fromCodePoint(v);
    }
    for (; j < e; j++) {
      const c = buf.charCodeAt(j);
      if (c === SEMI || c === AMP || c === LT || isSpace(c)) break;
    }
    if (j >= e || j === k + 1 || buf.charCodeAt(j) !== SEMI) this.#fail(`${MALFORMED}'&' that starts no entity reference (write &amp;)`, k);
    this.#after = j + 1;
    switch (buf.slice(k + 1, j)) {
      case "amp": return "&";
      case "lt": return "<";
      case "gt": return ">";
      case "quot": return '"';
      case "apos": return "'";
      default: return this.#fail(`${MALFORMED}undefined entity ${buf.slice(k, j + 1)}`, k);
    }
  }
}

/**
 * Line and column (both 1-based) of absolute offsets, counted forward through the text: CR LF,
 * CR and LF each end a line; columns count characters (a surrogate pair is one), and a byte-order
 * mark at the very start takes no column.
 */
export class LineCounter {
  line = 1;
  column = 1;
  #at = 0;
  #afterCR = false;

  /** Moves to absolute offset `to` (>= the last one), reading `text`, whose first character is at absolute `base`. */
  advance(text: string, base: number, to: number): void {
    const end = Math.min(to - base, text.length);
    for (let i = Math.max(0, this.#at - base); i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === LF || c === CR) {
        if (c === CR || !this.#afterCR) this.line++;
        this.column = 1;
        this.#afterCR = c === CR;
        continue;
      }
      this.#afterCR = false;
      if ((c < 0xdc00 || c > 0xdfff) && !(c === 0xfeff && base + i === 0)) this.column++;
    }
    this.#at = Math.max(this.#at, to);
  }
}
