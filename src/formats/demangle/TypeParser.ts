/**
 * `<type>`: builtin types, qualified and vendor-qualified types, pointers and references, function,
 * array, member-pointer and vector types, `decltype`, template parameters, substitutions, and the
 * unnamed types (`Ut_`, lambdas `Ul…E_`). Every type except builtins and plain substitutions
 * becomes a substitution candidate once parsed.
 */
import { Node } from "./Node.ts";
import { ExpressionParser } from "./ExpressionParser.ts";
import { isDigit } from "./ParserBase.ts";
import { ClosureTypeName, NameType, NameWithTemplateArgs, UnnamedTypeName } from "./nameNodes.ts";
import {
  ArrayType, ElaboratedTypeSpefType, ExceptionSpec, FunctionType, ObjCProtoName, ParameterPackExpansion,
  PointerToMemberType, PointerType, PostfixQualifiedType, QualType, ReferenceType, SizedBuiltinType,
  VectorType, VendorExtQualType, type RefQual,
} from "./typeNodes.ts";
import { EnclosingExpr } from "./exprNodes.ts";
import { ParserBase } from "./ParserBase.ts";

const E = 0x45;

/** Builtin types by their one-letter code (lower-case letters). */
const BUILTIN: Record<number, NameType> = {};
for (const [c, name] of Object.entries({
  v: "void", w: "wchar_t", b: "bool", c: "char", a: "signed char", h: "unsigned char", s: "short",
  t: "unsigned short", i: "int", j: "unsigned int", l: "long", m: "unsigned long", x: "long long",
  y: "unsigned long long", n: "__int128", o: "unsigned __int128", f: "float", d: "double",
  e: "long double", g: "__float128", z: "...",
})) BUILTIN[c.charCodeAt(0)] = new NameType(name);

/** `D?` builtins. */
const D_BUILTIN: Record<number, NameType> = {};
for (const [c, name] of Object.entries({
  d: "decimal64", e: "decimal128", f: "decimal32", h: "half", i: "char32_t", s: "char16_t",
  u: "char8_t", a: "auto", c: "decltype(auto)", n: "std::nullptr_t",
})) D_BUILTIN[c.charCodeAt(0)] = new NameType(name);

export abstract class TypeParser extends ExpressionParser {
  abstract parseUnscopedName(state: undefined, isSubst: { value: boolean }): Node;

  parseType(): Node {
    this.enter();
    const r = this.parseTypeInner();
    this.leave();
    return r;
  }

  private parseTypeInner(): Node {
    const c = this.look();
    let result: Node;
    switch (c) {
      case 0x72 /* r */:
      case 0x56 /* V */:
      case 0x4b /* K */: {
        let k = 0;
        if (this.look(k) === 0x72) k++;
        if (this.look(k) === 0x56) k++;
        if (this.look(k) === 0x4b) k++;
        const n = this.look(k);
        const n1 = this.look(k + 1);
        if (n === 0x46 /* F */ || (n === 0x44 /* D */ && (n1 === 0x6f || n1 === 0x4f || n1 === 0x77 || n1 === 0x78))) {
          result = this.parseFunctionType();
          break;
        }
        result = this.parseQualifiedType();
        break;
      }
      case 0x55 /* U */:
        result = this.parseQualifiedType();
        break;
      case 0x75 /* u */: {
        this.pos++;
        const name = this.parseBareSourceName();
        // Divergence from XNU: llvm-cxxfilt 16 does not know `u <name> I <type> E` transforms.
        if (this.consumeChar(0x49 /* I */)) {
          const base = this.parseType();
          this.expect(E);
          result = new SizedBuiltinType("transform", base, name);
        } else {
          result = new NameType(name);
        }
        break;
      }
      case 0x44 /* D */: {
        const d = this.look(1);
        const builtin = D_BUILTIN[d];
        if (builtin !== undefined) {
          this.pos += 2;
          return builtin;
        }
        switch (d) {
          case 0x46 /* F */: {
            this.pos += 2;
            const n = this.parseNumber();
            if (n === "") this.fail("bad _Float width");
            this.expect(0x5f);
            return new SizedBuiltinType("float", new NameType(n));
          }
          case 0x42 /* B */:
          case 0x55 /* U */: {
            this.pos += 2;
            const size = isDigit(this.look()) ? new NameType(this.parseNumber()) : this.parseExpr();
            this.expect(0x5f);
            return new SizedBuiltinType(d === 0x42 ? "bitint" : "ubitint", size);
          }
          case 0x74 /* t */:
          case 0x54 /* T */:
            result = this.parseDecltype();
            break;
          case 0x76 /* v */:
            result = this.parseVectorType();
            break;
          case 0x70 /* p */:
            this.pos += 2;
            result = new ParameterPackExpansion(this.parseType());
            break;
          case 0x6f: case 0x4f: case 0x77: case 0x78:
            result = this.parseFunctionType();
            break;
          default:
            this.fail("unknown D type");
        }
        break;
      }
      case 0x46 /* F */:
        result = this.parseFunctionType();
        break;
      case 0x41 /* A */:
        result = this.parseArrayType();
        break;
      case 0x4d /* M */: {
        this.pos++;
        const cls = this.parseType();
        result = new PointerToMemberType(cls, this.parseType());
        break;
      }
      case 0x54 /* T */: {
        const t1 = this.look(1);
        if (t1 === 0x73 || t1 === 0x75 || t1 === 0x65) {
          result = this.parseClassEnumType();
          break;
        }
        result = this.parseTemplateParam();
        // <template-template-param> <template-args>: the parameter alone is a candidate too.
        // Divergence from XNU: llvm-cxxfilt 16 does not record it and fails on clang's names (docs/divergences.md).
        if (this.tryToParseTemplateArgs && this.look() === 0x49 /* I */) {
          this.subs.push(result);
          result = new NameWithTemplateArgs(result, this.parseTemplateArgs());
        }
        break;
      }
      case 0x50 /* P */:
        this.pos++;
        result = new PointerType(this.parseType());
        break;
      case 0x52 /* R */:
        this.pos++;
        result = new ReferenceType(this.parseType(), false);
        break;
      case 0x4f /* O */:
        this.pos++;
        result = new ReferenceType(this.parseType(), true);
        break;
      case 0x43 /* C */:
        this.pos++;
        result = new PostfixQualifiedType(this.parseType(), " complex");
        break;
      case 0x47 /* G */:
        this.pos++;
        result = new PostfixQualifiedType(this.parseType(), " imaginary");
        break;
      case 0x53 /* S */: {
        if (this.look(1) !== 0x74 /* t */) {
          const isSubst = { value: false };
          result = this.parseUnscopedName(undefined, isSubst);
          if (this.look() === 0x49 && (!isSubst.value || this.tryToParseTemplateArgs)) {
            if (!isSubst.value) this.subs.push(result);
            result = new NameWithTemplateArgs(result, this.parseTemplateArgs());
          } else if (isSubst.value) {
            return result;
          }
          break;
        }
        result = this.parseClassEnumType();
        break;
      }
      default: {
        const b = BUILTIN[c];
        if (b !== undefined) {
          this.pos++;
          return b;
        }
        result = this.parseClassEnumType();
      }
    }
    this.subs.push(result);
    return result;
  }

  private parseQualifiedType(): Node {
    if (this.consumeChar(0x55 /* U */)) {
      const qual = this.parseBareSourceName();
      if (qual.startsWith("objcproto")) {
        const inner = new ProtoNameReader(qual.slice("objcproto".length));
        const proto = inner.parseBareSourceName();
        return new ObjCProtoName(this.parseQualifiedType(), proto);
      }
      const ta = this.look() === 0x49 ? this.parseTemplateArgs() : undefined;
      return new VendorExtQualType(this.parseQualifiedType(), qual, ta);
    }
    const quals = this.parseCVQualifiers();
    const t = this.parseType();
    return quals !== 0 ? new QualType(t, quals) : t;
  }

  private parseFunctionType(): Node {
    const cv = this.parseCVQualifiers();
    let spec: Node | undefined;
    if (this.consumeIf("Do")) {
      spec = new NameType("noexcept");
    } else if (this.consumeIf("DO")) {
      const e = this.parseExpr();
      this.expect(E);
      spec = new ExceptionSpec(false, [e]);
    } else if (this.consumeIf("Dw")) {
      const types: Node[] = [];
      while (!this.consumeChar(E)) types.push(this.parseType());
      spec = new ExceptionSpec(true, types);
    }
    this.consumeIf("Dx");
    if (!this.consumeChar(0x46 /* F */)) this.fail("expected function type");
    this.consumeChar(0x59 /* Y */);
    const ret = this.parseType();
    let ref: RefQual = 0;
    const params: Node[] = [];
    for (;;) {
      if (this.consumeChar(E)) break;
      if (this.consumeChar(0x76 /* v */)) continue;
      if (this.consumeIf("RE")) {
        ref = 1;
        break;
      }
      if (this.consumeIf("OE")) {
        ref = 2;
        break;
      }
      params.push(this.parseType());
    }
    return new FunctionType(ret, params, cv, ref, spec);
  }

  private parseArrayType(): Node {
    this.pos++; // A
    let dim: Node | undefined;
    if (isDigit(this.look())) {
      dim = new NameType(this.parseNumber());
      this.expect(0x5f);
    } else if (!this.consumeChar(0x5f)) {
      dim = this.parseExpr();
      this.expect(0x5f);
    }
    return new ArrayType(this.parseType(), dim);
  }

  private parseVectorType(): Node {
    this.pos += 2; // Dv
    if (isDigit(this.look())) {
      const dim = new NameType(this.parseNumber());
      this.expect(0x5f);
      if (this.consumeChar(0x70 /* p */)) return new VectorType(undefined, dim);
      return new VectorType(this.parseType(), dim);
    }
    let dim: Node | undefined;
    if (!this.consumeChar(0x5f)) {
      dim = this.parseExpr();
      this.expect(0x5f);
    }
    return new VectorType(this.parseType(), dim);
  }

  parseDecltype(): Node {
    if (!this.consumeChar(0x44 /* D */)) this.fail("expected decltype");
    if (!this.consumeChar(0x74) && !this.consumeChar(0x54)) this.fail("expected decltype");
    const e = this.parseExpr();
    this.expect(E);
    return new EnclosingExpr("decltype", e);
  }

  private parseClassEnumType(): Node {
    let keyword = "";
    if (this.consumeIf("Ts")) keyword = "struct";
    else if (this.consumeIf("Tu")) keyword = "union";
    else if (this.consumeIf("Te")) keyword = "enum";
    const name = this.parseName();
    return keyword !== "" ? new ElaboratedTypeSpefType(keyword, name) : name;
  }

  /** `Ut [n] _`, `Ul <lambda-sig> E [n] _`, `Ub [n] _`. */
  parseUnnamedTypeName(tagged: boolean): Node {
    // Template parameters inside refer to the innermost template arguments.
    if (tagged) this.templateParams.length = 0;
    if (this.consumeIf("Ut")) {
      const count = this.parseNumber();
      this.expect(0x5f);
      return new UnnamedTypeName(count);
    }
    if (this.consumeIf("Ul")) {
      const savedLevel = this.parsingLambdaParamsAtLevel;
      const savedLength = this.templateParams.length;
      this.parsingLambdaParamsAtLevel = savedLength;
      this.templateParams.push([]);
      const tparams: Node[] = [];
      while (this.look() === 0x54 && "yptn".includes(String.fromCharCode(this.look(1)))) tparams.push(this.parseTemplateParamDecl());
      if (tparams.length === 0) this.templateParams.pop();
      const params: Node[] = [];
      if (!this.consumeIf("vE")) {
        do params.push(this.parseType());
        while (!this.consumeChar(E));
      }
      const count = this.parseNumber();
      this.expect(0x5f);
      this.templateParams.length = Math.min(this.templateParams.length, savedLength);
      this.parsingLambdaParamsAtLevel = savedLevel;
      return new ClosureTypeName(tparams, params, count);
    }
    if (this.consumeIf("Ub")) {
      this.parseNumber();
      this.expect(0x5f);
      return new NameType("'block-literal'");
    }
    this.fail("bad unnamed type name");
  }
}

/** Reads the protocol name embedded in an `objcproto<len><name>` qualifier. */
class ProtoNameReader extends ParserBase {
  parseType(): Node { return this.fail("unused"); }
  parseExpr(): Node { return this.fail("unused"); }
  parseEncoding(): Node { return this.fail("unused"); }
  parseName(): Node { return this.fail("unused"); }
  parseTemplateArgs(): Node { return this.fail("unused"); }
  parseTemplateArg(): Node { return this.fail("unused"); }
}
