/**
 * Expressions (`<expression>`, `<expr-primary>`, `<unresolved-name>`) and template arguments.
 * Expressions appear inside `decltype`, array bounds, `noexcept` specs and non-type template
 * arguments; every production is recursive through {@link ParserBase.enter}, so depth is bounded.
 */
import { Node, Prec } from "./Node.ts";
import { ParserBase, isDigit } from "./ParserBase.ts";
import {
  DtorName, GlobalQualifiedName, NameType, NameWithTemplateArgs, QualifiedName, TemplateArgs,
} from "./nameNodes.ts";
import { ParameterPack, ParameterPackExpansion, TemplateArgumentPack } from "./typeNodes.ts";
import {
  ArraySubscriptExpr, BinaryExpr, BracedExpr, CallExpr, CastExpr, ConditionalExpr, ConversionExpr,
  DeleteExpr, EnclosingExpr, FoldExpr, FunctionParam, InitListExpr, IntegerLiteral, LiteralExpr,
  MemberExpr, NewExpr, SizeofParamPackExpr, SubobjectExpr, ThrowExpr, UnaryExpr,
} from "./exprNodes.ts";
import { formatHexFloat } from "./formatHexFloat.ts";

const E = 0x45;
const UNDERSCORE = 0x5f;

export abstract class ExpressionParser extends ParserBase {
  abstract parseOperatorName(): Node;
  abstract parseUnnamedTypeName(tagged: boolean): Node;
  abstract parseDecltype(): Node;

  /** `I <template-arg>+ E`; when `tag` is set the arguments become what `T_` refers to. */
  parseTemplateArgs(tag = false): TemplateArgs {
    if (!this.consumeChar(0x49 /* I */)) this.fail("expected template arguments");
    if (tag) {
      this.outerTemplateParams = [];
      this.templateParams = [this.outerTemplateParams];
    }
    const args: Node[] = [];
    while (!this.consumeChar(E)) {
      if (tag) {
        const saved = this.templateParams;
        this.templateParams = [];
        const arg = this.parseTemplateArg();
        this.templateParams = saved;
        args.push(arg);
        const entry = arg instanceof TemplateArgumentPack ? new ParameterPack(arg.elements) : arg;
        saved[saved.length - 1]?.push(entry);
      } else {
        args.push(this.parseTemplateArg());
      }
    }
    return new TemplateArgs(args);
  }

  parseTemplateArg(): Node {
    this.enter();
    let r: Node;
    switch (this.look()) {
      case 0x58 /* X */: {
        this.pos++;
        r = this.parseExpr();
        this.expect(E);
        break;
      }
      case 0x4a /* J */: {
        this.pos++;
        const args: Node[] = [];
        while (!this.consumeChar(E)) args.push(this.parseTemplateArg());
        r = new TemplateArgumentPack(args);
        break;
      }
      case 0x4c /* L */:
        if (this.look(1) === 0x5a /* Z */) {
          this.pos += 2;
          r = this.parseEncoding();
          this.expect(E);
        } else {
          r = this.parseExprPrimary();
        }
        break;
      default:
        r = this.parseType();
    }
    this.leave();
    return r;
  }

  parseExpr(): Node {
    this.enter();
    const r = this.parseExprInner();
    this.leave();
    return r;
  }

  private parseExprs(terminator: number): Node[] {
    const out: Node[] = [];
    while (!this.consumeChar(terminator)) out.push(this.parseExpr());
    return out;
  }

  private parseExprInner(): Node {
    const global = this.consumeIf("gs");
    const op = this.parseOperatorEncoding();
    if (op !== undefined) {
      const sym = op.symbol;
      switch (op.kind) {
        case "binary": {
          const lhs = this.parseExpr();
          return new BinaryExpr(lhs, sym, this.parseExpr(), op.prec);
        }
        case "prefix":
          return new UnaryExpr(sym, this.parseExpr(), op.prec, false);
        case "postfix":
          if (this.consumeChar(UNDERSCORE)) return new UnaryExpr(sym, this.parseExpr(), op.prec, false);
          return new UnaryExpr(sym, this.parseExpr(), op.prec, true);
        case "array": {
          const base = this.parseExpr();
          return new ArraySubscriptExpr(base, this.parseExpr(), op.prec);
        }
        case "member": {
          const lhs = this.parseExpr();
          return new MemberExpr(lhs, sym, this.parseExpr(), op.prec);
        }
        case "new": {
          const exprs = this.parseExprs(UNDERSCORE);
          const type = this.parseType();
          const haveInits = this.consumeIf("pi");
          const inits: Node[] = [];
          while (!this.consumeChar(E)) {
            if (!haveInits) this.fail("expected initializer");
            inits.push(this.parseExpr());
          }
          return new NewExpr(exprs, type, inits, global, op.flag, op.prec);
        }
        case "del":
          return new DeleteExpr(this.parseExpr(), global, op.flag, op.prec);
        case "call": {
          const callee = this.parseExpr();
          return new CallExpr(callee, this.parseExprs(E), op.prec);
        }
        case "ccast": {
          const saved = this.tryToParseTemplateArgs;
          this.tryToParseTemplateArgs = false;
          const type = this.parseType();
          this.tryToParseTemplateArgs = saved;
          const many = this.consumeChar(UNDERSCORE);
          const exprs: Node[] = [];
          while (!this.consumeChar(E)) {
            exprs.push(this.parseExpr());
            if (!many) break;
          }
          if (!many && exprs.length !== 1) this.fail("bad conversion");
          return new ConversionExpr(type, exprs, op.prec);
        }
        case "conditional": {
          const cond = this.parseExpr();
          const then = this.parseExpr();
          return new ConditionalExpr(cond, then, this.parseExpr(), op.prec);
        }
        case "namedCast": {
          const to = this.parseType();
          return new CastExpr(sym, to, this.parseExpr(), op.prec);
        }
        case "ofIdOp":
          return new EnclosingExpr(sym, op.flag ? this.parseType() : this.parseExpr(), op.prec);
        case "nameOnly":
          this.fail("operator is not an expression");
      }
    }
    if (this.numLeft < 2) this.fail("expected expression");
    const c = this.look();
    if (c === 0x4c /* L */) return this.parseExprPrimary();
    if (c === 0x54 /* T */) return this.parseTemplateParam();
    if (c === 0x66 /* f */) {
      if (this.look(1) === 0x70 /* p */ || (this.look(1) === 0x4c && isDigit(this.look(2)))) return this.parseFunctionParam();
      return this.parseFoldExpr();
    }
    if (this.consumeIf("il")) {
      const inits: Node[] = [];
      while (!this.consumeChar(E)) inits.push(this.parseBracedExpr());
      return new InitListExpr(undefined, inits);
    }
    if (this.consumeIf("mc")) return this.parseSubobject(true);
    if (this.consumeIf("nx")) return new EnclosingExpr("noexcept ", this.parseExpr(), Prec.Unary);
    if (this.consumeIf("so")) return this.parseSubobject(false);
    if (this.consumeIf("sp")) return new ParameterPackExpansion(this.parseExpr());
    if (this.consumeIf("sZ")) {
      if (this.look() === 0x54) return new SizeofParamPackExpr(this.parseTemplateParam());
      return new EnclosingExpr("sizeof... ", this.parseFunctionParam());
    }
    if (this.consumeIf("sP")) {
      const args: Node[] = [];
      while (!this.consumeChar(E)) args.push(this.parseTemplateArg());
      return new EnclosingExpr("sizeof... ", new TemplateArgumentPack(args));
    }
    if (this.consumeIf("tl")) {
      const type = this.parseType();
      const inits: Node[] = [];
      while (!this.consumeChar(E)) inits.push(this.parseBracedExpr());
      return new InitListExpr(type, inits);
    }
    if (this.consumeIf("tr")) return new NameType("throw");
    if (this.consumeIf("tw")) return new ThrowExpr(this.parseExpr());
    if (this.consumeChar(0x75 /* u */)) {
      const name = this.parseSourceName();
      const args: Node[] = [];
      if (name.baseName === "__uuidof" && (this.look() === 0x74 || this.look() === 0x7a)) {
        args.push(this.consumeChar(0x74) ? this.parseType() : (this.pos++, this.parseExpr()));
      } else {
        while (!this.consumeChar(E)) args.push(this.parseTemplateArg());
      }
      return new CallExpr(name, args, Prec.Postfix);
    }
    return this.parseUnresolvedName(global);
  }

  private parseSubobject(memberPointer: boolean): Node {
    const type = this.parseType();
    const sub = this.parseExpr();
    const offset = this.parseNumber(true);
    const selectors: string[] = [];
    let onePast = false;
    if (!memberPointer) {
      while (this.consumeChar(UNDERSCORE)) selectors.push(this.parseNumber());
      onePast = this.consumeChar(0x70 /* p */);
    }
    this.expect(E);
    return new SubobjectExpr(type, sub, offset, selectors, onePast, memberPointer);
  }

  private parseFunctionParam(): Node {
    if (this.consumeIf("fpT")) return new NameType("this");
    if (this.consumeIf("fp")) {
      this.parseCVQualifiers();
      const num = this.parseNumber();
      this.expect(UNDERSCORE);
      return new FunctionParam(num);
    }
    if (this.consumeIf("fL")) {
      if (this.parseNumber() === "") this.fail("bad function parameter level");
      this.expect(0x70 /* p */);
      this.parseCVQualifiers();
      const num = this.parseNumber();
      this.expect(UNDERSCORE);
      return new FunctionParam(num);
    }
    this.fail("expected function parameter");
  }

  private parseFoldExpr(): Node {
    if (!this.consumeChar(0x66 /* f */)) this.fail("expected fold expression");
    let left = false;
    let hasInit = false;
    switch (this.look()) {
      case 0x4c /* L */: left = true; hasInit = true; break;
      case 0x52 /* R */: hasInit = true; break;
      case 0x6c /* l */: left = true; break;
      case 0x72 /* r */: break;
      default: this.fail("bad fold expression");
    }
    this.pos++;
    const op = this.parseOperatorEncoding();
    if (op === undefined || !(op.kind === "binary" || (op.kind === "member" && op.name.endsWith("*")))) this.fail("bad fold operator");
    let pack = this.parseExpr();
    let init: Node | undefined;
    if (hasInit) init = this.parseExpr();
    if (left && init !== undefined) [pack, init] = [init, pack];
    return new FoldExpr(left, op.symbol, pack, init);
  }

  private parseBracedExpr(): Node {
    if (this.look() === 0x64 /* d */) {
      switch (this.look(1)) {
        case 0x69 /* i */: {
          this.pos += 2;
          const field = this.parseSourceName();
          return new BracedExpr(field, this.parseBracedExpr(), false);
        }
        case 0x78 /* x */: {
          this.pos += 2;
          const index = this.parseExpr();
          return new BracedExpr(index, this.parseBracedExpr(), true);
        }
        case 0x58 /* X */: {
          this.pos += 2;
          const begin = this.parseExpr();
          const end = this.parseExpr();
          return new BracedExpr(begin, this.parseBracedExpr(), true, end);
        }
      }
    }
    return this.parseExpr();
  }

  /** `L <type> <value> E`, `L <mangled-name> E`, and the literal shorthands. */
  parseExprPrimary(): Node {
    if (!this.consumeChar(0x4c /* L */)) this.fail("expected literal");
    const c = this.look();
    switch (c) {
      case 0x77: this.pos++; return this.parseIntegerLiteral("wchar_t");
      case 0x62 /* b */:
        if (this.consumeIf("b0E")) return new LiteralExpr("bool", "false");
        if (this.consumeIf("b1E")) return new LiteralExpr("bool", "true");
        this.fail("bad bool literal");
      case 0x63: this.pos++; return this.parseIntegerLiteral("char");
      case 0x61: this.pos++; return this.parseIntegerLiteral("signed char");
      case 0x68: this.pos++; return this.parseIntegerLiteral("unsigned char");
      case 0x73: this.pos++; return this.parseIntegerLiteral("short");
      case 0x74: this.pos++; return this.parseIntegerLiteral("unsigned short");
      case 0x69: this.pos++; return this.parseIntegerLiteral("");
      case 0x6a: this.pos++; return this.parseIntegerLiteral("u");
      case 0x6c: this.pos++; return this.parseIntegerLiteral("l");
      case 0x6d: this.pos++; return this.parseIntegerLiteral("ul");
      case 0x78: this.pos++; return this.parseIntegerLiteral("ll");
      case 0x79: this.pos++; return this.parseIntegerLiteral("ull");
      case 0x6e: this.pos++; return this.parseIntegerLiteral("__int128");
      case 0x6f: this.pos++; return this.parseIntegerLiteral("unsigned __int128");
      case 0x66 /* f */: this.pos++; return this.parseFloatLiteral(8, "f");
      case 0x64 /* d */: this.pos++; return this.parseFloatLiteral(16, "");
      case 0x65 /* e */: this.pos++; return this.parseFloatLiteral(20, "L");
      case UNDERSCORE: {
        if (this.consumeIf("_Z")) {
          const r = this.parseEncoding();
          if (this.consumeChar(E)) return r;
        }
        this.fail("bad external name literal");
      }
      case 0x41 /* A */: {
        const t = this.parseType();
        this.expect(E);
        return new LiteralExpr("string", "", t);
      }
      case 0x44 /* D */:
        if (this.consumeIf("Dn") && (this.consumeChar(0x30), this.consumeChar(E))) return new LiteralExpr("text", "nullptr");
        this.fail("bad nullptr literal");
      case 0x54 /* T */:
        this.fail("bad literal");
      case 0x55 /* U */: {
        if (this.look(1) !== 0x6c /* l */) this.fail("bad lambda literal");
        const t = this.parseUnnamedTypeName(false);
        this.expect(E);
        return new LiteralExpr("lambda", "", t);
      }
      default: {
        const t = this.parseType();
        const n = this.parseNumber(true);
        if (n === "") this.fail("expected enumerator value");
        this.expect(E);
        return new LiteralExpr("enum", n, t);
      }
    }
  }

  private parseIntegerLiteral(type: string): Node {
    const v = this.parseNumber(true);
    if (v === "" || !this.consumeChar(E)) this.fail("bad integer literal");
    return new IntegerLiteral(type, v);
  }

  private parseFloatLiteral(hexDigits: number, suffix: string): Node {
    if (this.numLeft <= hexDigits) this.fail("bad floating literal");
    const hex = this.s.slice(this.pos, this.pos + hexDigits);
    for (let i = 0; i < hexDigits; i++) {
      const c = hex.charCodeAt(i);
      if (!(isDigit(c) || (c >= 0x61 && c <= 0x66))) this.fail("bad floating literal");
    }
    this.pos += hexDigits;
    this.expect(E);
    return new LiteralExpr("float", formatHexFloat(hex) + suffix);
  }

  private parseUnresolvedType(): Node {
    if (this.look() === 0x54 /* T */) {
      const t = this.parseTemplateParam();
      this.subs.push(t);
      return t;
    }
    if (this.look() === 0x44 /* D */) {
      const d = this.parseDecltype();
      this.subs.push(d);
      return d;
    }
    return this.parseSubstitution();
  }

  private parseSimpleId(): Node {
    const sn = this.parseSourceName();
    if (this.look() === 0x49 /* I */) return new NameWithTemplateArgs(sn, this.parseTemplateArgs());
    return sn;
  }

  private parseBaseUnresolvedName(): Node {
    if (isDigit(this.look())) return this.parseSimpleId();
    if (this.consumeIf("dn")) {
      return new DtorName(isDigit(this.look()) ? this.parseSimpleId() : this.parseUnresolvedType());
    }
    this.consumeIf("on");
    const op = this.parseOperatorName();
    if (this.look() === 0x49) return new NameWithTemplateArgs(op, this.parseTemplateArgs());
    return op;
  }

  private parseUnresolvedName(global: boolean): Node {
    let soFar: Node | undefined;
    if (this.consumeIf("srN")) {
      soFar = this.parseUnresolvedType();
      if (this.look() === 0x49) soFar = new NameWithTemplateArgs(soFar, this.parseTemplateArgs());
      while (!this.consumeChar(E)) soFar = new QualifiedName(soFar, this.parseSimpleId());
      return new QualifiedName(soFar, this.parseBaseUnresolvedName());
    }
    if (!this.consumeIf("sr")) {
      const base = this.parseBaseUnresolvedName();
      return global ? new GlobalQualifiedName(base) : base;
    }
    if (isDigit(this.look())) {
      do {
        const q = this.parseSimpleId();
        soFar = soFar !== undefined ? new QualifiedName(soFar, q) : global ? new GlobalQualifiedName(q) : q;
      } while (!this.consumeChar(E));
    } else {
      soFar = this.parseUnresolvedType();
      if (this.look() === 0x49) soFar = new NameWithTemplateArgs(soFar, this.parseTemplateArgs());
    }
    return new QualifiedName(soFar, this.parseBaseUnresolvedName());
  }
}
