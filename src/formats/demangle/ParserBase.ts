/**
 * The state every part of the Itanium demangler shares: a single cursor over the mangled text,
 * the substitution table, the template-parameter scopes, and the recursion bound.
 *
 * Substitutions (`S_`, `S0_`…) and template parameters (`T_`…) are indexes into tables of nodes
 * built earlier in the same parse, so a reference can only point backwards: the tree is a DAG by
 * construction. The one forward reference the grammar allows (a template parameter inside a
 * conversion operator's type, resolved once the template arguments that follow are parsed) is a
 * {@link ForwardTemplateReference}, and it is never resolved to a node that contains a forward
 * reference itself.
 *
 * Errors: any malformed input throws {@link DemangleError} at the cursor's offset; there is no
 * backtracking in the grammar, so the first failure is final.
 */
import { DemangleError, MAX_NODE_DEPTH, Node } from "./Node.ts";
import { AbiTagAttr, NameType, SpecialSubstitution, TemplateParamDecl, type SpecialSubstitutionKind } from "./nameNodes.ts";
import { ForwardTemplateReference, QualConst, QualRestrict, QualVolatile, type RefQual } from "./typeNodes.ts";
import { OPERATORS_BY_CODE, type OperatorInfo } from "./operators.ts";

/** What parsing a function's name tells the rest of its encoding. */
export interface NameState {
  cvQuals: number;
  refQual: RefQual;
  endsWithTemplateArgs: boolean;
  ctorDtorConversion: boolean;
  readonly forwardRefsBegin: number;
}

/** A list of template arguments a `T_` may refer to; `null` marks a scope not yet known. */
export type TemplateParamList = Node[];

const ANONYMOUS_NAMESPACE = "_GLOBAL__N";
const SYNTHETIC_PREFIX = ["$T", "$N", "$TT"] as const;

export abstract class ParserBase {
  declare readonly s: string;
  declare pos: number;
  declare end: number;
  declare protected readonly subs: Node[];
  declare protected templateParams: Array<TemplateParamList | null>;
  declare protected outerTemplateParams: TemplateParamList;
  declare protected tryToParseTemplateArgs: boolean;
  declare protected permitForwardTemplateReferences: boolean;
  declare protected parsingLambdaParamsAtLevel: number;
  declare protected readonly forwardRefs: ForwardTemplateReference[];
  declare protected readonly syntheticCounts: number[];
  declare private depth: number;

  constructor(s: string, pos = 0, end = s.length) {
    this.s = s;
    this.pos = pos;
    this.end = end;
    this.subs = [];
    this.templateParams = [];
    this.outerTemplateParams = [];
    this.tryToParseTemplateArgs = true;
    this.permitForwardTemplateReferences = false;
    this.parsingLambdaParamsAtLevel = -1;
    this.forwardRefs = [];
    this.syntheticCounts = [0, 0, 0];
    this.depth = 0;
  }

  abstract parseType(): Node;
  abstract parseExpr(): Node;
  abstract parseEncoding(): Node;
  abstract parseName(state?: NameState): Node;
  abstract parseTemplateArgs(tag?: boolean): Node;
  abstract parseTemplateArg(): Node;

  protected fail(message: string): never {
    throw new DemangleError(message, this.pos);
  }

  /** Counts one level of recursion; the matching {@link leave} is skipped when a parse throws. */
  protected enter(): void {
    if (++this.depth > MAX_NODE_DEPTH) this.fail(`mangled name nests deeper than ${MAX_NODE_DEPTH}`);
  }

  protected leave(): void {
    this.depth--;
  }

  /** Char code at `pos + k`, or 0 past the end. */
  look(k = 0): number {
    const i = this.pos + k;
    return i < this.end ? this.s.charCodeAt(i) : 0;
  }

  get numLeft(): number {
    return this.end - this.pos;
  }

  consumeChar(c: number): boolean {
    if (this.pos < this.end && this.s.charCodeAt(this.pos) === c) {
      this.pos++;
      return true;
    }
    return false;
  }

  /** Consumes `t` (an ASCII string) when the text continues with it. */
  consumeIf(t: string): boolean {
    const n = t.length;
    if (this.end - this.pos < n) return false;
    for (let i = 0; i < n; i++) if (this.s.charCodeAt(this.pos + i) !== t.charCodeAt(i)) return false;
    this.pos += n;
    return true;
  }

  protected expect(c: number): void {
    if (!this.consumeChar(c)) this.fail(`expected '${String.fromCharCode(c)}'`);
  }

  /** `[n] digits` as written (with the `n`), or "" when no digit follows. */
  parseNumber(allowNegative = false): string {
    const start = this.pos;
    if (allowNegative) this.consumeChar(0x6e);
    const d = this.look();
    if (d < 0x30 || d > 0x39) return "";
    while (this.pos < this.end && isDigit(this.s.charCodeAt(this.pos))) this.pos++;
    return this.s.slice(start, this.pos);
  }

  /** A decimal number, or -1 when none follows. Saturates instead of overflowing. */
  parsePositiveInteger(): number {
    let c = this.look();
    if (!isDigit(c)) return -1;
    let v = 0;
    while (isDigit(c)) {
      v = Math.min(v * 10 + (c - 0x30), Number.MAX_SAFE_INTEGER);
      this.pos++;
      c = this.look();
    }
    return v;
  }

  /** `<seq-id>`: base 36 with digits then upper-case letters; -1 when none follows. */
  parseSeqId(): number {
    let c = this.look();
    if (!isDigit(c) && !(c >= 0x41 && c <= 0x5a)) return -1;
    let v = 0;
    for (;;) {
      if (isDigit(c)) v = v * 36 + (c - 0x30);
      else if (c >= 0x41 && c <= 0x5a) v = v * 36 + (c - 0x41 + 10);
      else break;
      if (v > Number.MAX_SAFE_INTEGER / 36) v = Number.MAX_SAFE_INTEGER / 36;
      this.pos++;
      c = this.look();
    }
    return v;
  }

  /** `<length> <identifier>` as text; fails on a zero or overlong length. */
  parseBareSourceName(): string {
    const n = this.parsePositiveInteger();
    if (n <= 0 || this.numLeft < n) this.fail("bad source name");
    const r = this.s.slice(this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  parseSourceName(): Node {
    const name = this.parseBareSourceName();
    if (name.startsWith(ANONYMOUS_NAMESPACE)) return new NameType("(anonymous namespace)");
    return new NameType(name);
  }

  /** Any number of `B <source-name>` ABI tags after a name. */
  parseAbiTags(n: Node): Node {
    while (this.consumeChar(0x42 /* B */)) n = new AbiTagAttr(n, this.parseBareSourceName());
    return n;
  }

  /** `[r] [V] [K]`. */
  parseCVQualifiers(): number {
    let q = 0;
    if (this.consumeChar(0x72 /* r */)) q |= QualRestrict;
    if (this.consumeChar(0x56 /* V */)) q |= QualVolatile;
    if (this.consumeChar(0x4b /* K */)) q |= QualConst;
    return q;
  }

  /** A two-letter operator code at the cursor, consumed when known. */
  parseOperatorEncoding(): OperatorInfo | undefined {
    if (this.numLeft < 2) return undefined;
    const a = this.look();
    const b = this.look(1);
    if (a >= 128 || b >= 128) return undefined;
    const op = OPERATORS_BY_CODE[a * 128 + b];
    if (op !== undefined) this.pos += 2;
    return op;
  }

  /** `S_`, `S <seq-id> _`, or one of the standard abbreviations `Sa Sb Ss Si So Sd`. */
  parseSubstitution(): Node {
    if (!this.consumeChar(0x53 /* S */)) this.fail("expected substitution");
    const c = this.look();
    if (c >= 0x61 && c <= 0x7a) {
      let kind: SpecialSubstitutionKind;
      switch (c) {
        case 0x61: kind = "allocator"; break;
        case 0x62: kind = "basic_string"; break;
        case 0x64: kind = "iostream"; break;
        case 0x69: kind = "istream"; break;
        case 0x6f: kind = "ostream"; break;
        case 0x73: kind = "string"; break;
        default: this.fail("unknown standard substitution");
      }
      this.pos++;
      const special = new SpecialSubstitution(kind);
      // A tagged abbreviation becomes a substitution candidate of its own (ABI 5.1.9).
      const tagged = this.parseAbiTags(special);
      if (tagged !== special) this.subs.push(tagged);
      return tagged;
    }
    if (this.consumeChar(0x5f /* _ */)) {
      const first = this.subs[0];
      if (first === undefined) this.fail("substitution S_ with an empty table");
      return first;
    }
    const id = this.parseSeqId();
    if (id < 0) this.fail("bad substitution");
    const index = id + 1;
    if (!this.consumeChar(0x5f) || index >= this.subs.length) this.fail("substitution out of range");
    return this.subs[index]!;
  }

  /** `T_`, `T <n> _`, `TL <level> __`, `TL <level> _ <n> _`. */
  parseTemplateParam(): Node {
    if (!this.consumeChar(0x54 /* T */)) this.fail("expected template parameter");
    let level = 0;
    if (this.consumeChar(0x4c /* L */)) {
      const l = this.parsePositiveInteger();
      if (l < 0) this.fail("bad template parameter level");
      level = l + 1;
      this.expect(0x5f);
    }
    let index = 0;
    if (!this.consumeChar(0x5f)) {
      const i = this.parsePositiveInteger();
      if (i < 0) this.fail("bad template parameter");
      index = i + 1;
      this.expect(0x5f);
    }
    // In a conversion operator's type, T_ names an argument that is parsed later (outermost level only).
    if (this.permitForwardTemplateReferences && level === 0) {
      const ref = new ForwardTemplateReference(index);
      this.forwardRefs.push(ref);
      return ref;
    }
    const list = this.templateParams[level];
    if (level >= this.templateParams.length || list === null || list === undefined || index >= list.length) {
      // A generic lambda's `auto` parameters are its own invented template parameters (ABI 5.1.8).
      if (this.parsingLambdaParamsAtLevel === level && level <= this.templateParams.length) {
        if (level === this.templateParams.length) this.templateParams.push(null);
        return new NameType("auto");
      }
      this.fail("template parameter out of range");
    }
    return list[index]!;
  }

  /** A lambda's explicit template parameter declaration (`Ty`, `Tn <type>`, `Tt … E`, `Tp <decl>`). */
  parseTemplateParamDecl(): Node {
    const invent = (k: 0 | 1 | 2): Node => {
      const i = this.syntheticCounts[k]!++;
      const n = new NameType(SYNTHETIC_PREFIX[k] + (i > 0 ? String(i - 1) : ""));
      this.templateParams[this.templateParams.length - 1]?.push(n);
      return n;
    };
    if (this.consumeIf("Ty")) return new TemplateParamDecl("type", invent(0));
    if (this.consumeIf("Tn")) {
      const name = invent(1);
      return new TemplateParamDecl("nontype", name, this.parseType());
    }
    if (this.consumeIf("Tt")) {
      const name = invent(2);
      const params: Node[] = [];
      const saved = this.templateParams.length;
      this.templateParams.push([]);
      while (!this.consumeChar(0x45 /* E */)) params.push(this.parseTemplateParamDecl());
      this.templateParams.length = saved;
      return new TemplateParamDecl("template", name, undefined, params);
    }
    if (this.consumeIf("Tp")) return new TemplateParamDecl("pack", this.parseTemplateParamDecl());
    this.fail("bad template parameter declaration");
  }

  /** Resolves the forward references made while parsing a name, against its template arguments. */
  protected resolveForwardTemplateRefs(state: NameState): void {
    const list = this.templateParams[0];
    for (let i = state.forwardRefsBegin; i < this.forwardRefs.length; i++) {
      const ref = this.forwardRefs[i]!;
      const target = list?.[ref.index];
      if (target === undefined) this.fail("forward template reference out of range");
      if (containsForwardRef(target)) this.fail("forward template reference refers to a forward reference");
      ref.ref = target;
    }
    this.forwardRefs.length = state.forwardRefsBegin;
  }

  protected newNameState(): NameState {
    return { cvQuals: 0, refQual: 0, endsWithTemplateArgs: false, ctorDtorConversion: false, forwardRefsBegin: this.forwardRefs.length };
  }
}

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Whether `n` reaches a forward template reference (visited set: the tree is a DAG). */
function containsForwardRef(n: Node): boolean {
  const seen = new Set<Node>();
  const stack: Node[] = [n];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (x instanceof ForwardTemplateReference) return true;
    if (seen.has(x)) continue;
    seen.add(x);
    for (const v of Object.values(x)) {
      if (v instanceof Node) stack.push(v);
      else if (Array.isArray(v)) for (const e of v) if (e instanceof Node) stack.push(e);
    }
  }
  return false;
}
