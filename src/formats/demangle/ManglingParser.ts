/**
 * The top of the Itanium grammar: `<mangled-name>`, `<encoding>`, `<name>` (nested, local,
 * unscoped), unqualified names (source names, operators, constructors and destructors, unnamed
 * types, structured bindings), and `<special-name>` (vtables, typeinfo, guard variables, thunks).
 *
 * A function encoding's template arguments become what `T_` means in its signature; an encoding
 * nested inside another (a local name's function, an `L_Z…E` argument) saves and restores the
 * enclosing scopes, so each encoding sees only its own template parameters.
 */
import { Node } from "./Node.ts";
import { TypeParser } from "./TypeParser.ts";
import { isDigit, type NameState } from "./ParserBase.ts";
import {
  ConversionOperatorType, CtorDtorName, CtorVtableSpecialName, DotSuffix, ExpandedSpecialSubstitution,
  LiteralOperator, LocalName, NameType, NameWithTemplateArgs, NestedName, OperatorName, SpecialName,
  SpecialSubstitution, StructuredBindingName,
} from "./nameNodes.ts";
import { EnableIfAttr, FunctionEncoding } from "./typeNodes.ts";
import { isNameableOperator } from "./operators.ts";

const E = 0x45;

export class ManglingParser extends TypeParser {
  /**
   * `_Z <encoding> [.suffix]`, the block form `___Z <encoding> _block_invoke[_N]`, or (types mode)
   * a bare `<type>`. The whole input must be consumed.
   */
  parse(allowTypes: boolean, parseParams = true): Node {
    if (this.consumeIf("_Z") || this.consumeIf("__Z")) {
      let enc = this.parseEncoding(parseParams);
      if (this.look() === 0x2e /* . */) {
        enc = new DotSuffix(enc, this.s.slice(this.pos, this.end));
        this.pos = this.end;
      }
      if (this.numLeft !== 0) this.fail("trailing characters");
      return enc;
    }
    if (this.consumeIf("___Z") || this.consumeIf("____Z")) {
      const enc = this.parseEncoding(parseParams);
      if (!this.consumeIf("_block_invoke")) this.fail("expected _block_invoke");
      const requireNumber = this.consumeChar(0x5f);
      if (this.parseNumber() === "" && requireNumber) this.fail("expected block number");
      if (this.look() === 0x2e) this.pos = this.end;
      if (this.numLeft !== 0) this.fail("trailing characters");
      return new SpecialName("invocation function for block in ", enc);
    }
    if (!allowTypes) this.fail("not a mangled name");
    const t = this.parseType();
    if (this.numLeft !== 0) this.fail("trailing characters");
    return t;
  }

  private isEndOfEncoding(): boolean {
    const c = this.look();
    return this.numLeft === 0 || c === E || c === 0x2e || c === 0x5f;
  }

  parseEncoding(parseParams = true): Node {
    this.enter();
    const savedParams = this.templateParams;
    const savedOuter = this.outerTemplateParams;
    this.templateParams = [];
    this.outerTemplateParams = [];
    const r = this.parseEncodingInner(parseParams);
    this.templateParams = savedParams;
    this.outerTemplateParams = savedOuter;
    this.leave();
    return r;
  }

  private parseEncodingInner(parseParams: boolean): Node {
    const c = this.look();
    if (c === 0x47 /* G */ || c === 0x54 /* T */) return this.parseSpecialName();
    const state = this.newNameState();
    const name = this.parseName(state);
    this.resolveForwardTemplateRefs(state);
    if (this.isEndOfEncoding()) return name;
    if (!parseParams) {
      this.pos = this.end;
      return name;
    }
    let attrs: Node | undefined;
    if (this.consumeIf("Ua9enable_ifI")) {
      const conds: Node[] = [];
      while (!this.consumeChar(E)) conds.push(this.parseTemplateArg());
      attrs = new EnableIfAttr(conds);
    }
    let ret: Node | undefined;
    if (!state.ctorDtorConversion && state.endsWithTemplateArgs) ret = this.parseType();
    if (this.consumeChar(0x76 /* v */)) return new FunctionEncoding(ret, name, [], attrs, state.cvQuals, state.refQual);
    const params: Node[] = [];
    do params.push(this.parseType());
    while (!this.isEndOfEncoding());
    return new FunctionEncoding(ret, name, params, attrs, state.cvQuals, state.refQual);
  }

  private parseCallOffset(): void {
    if (this.consumeChar(0x68 /* h */)) {
      if (this.parseNumber(true) === "") this.fail("bad call offset");
      this.expect(0x5f);
      return;
    }
    if (this.consumeChar(0x76 /* v */)) {
      if (this.parseNumber(true) === "") this.fail("bad call offset");
      this.expect(0x5f);
      if (this.parseNumber(true) === "") this.fail("bad call offset");
      this.expect(0x5f);
      return;
    }
    this.fail("bad call offset");
  }

  private parseSpecialName(): Node {
    if (this.look() === 0x54 /* T */) {
      const k = this.look(1);
      const simple = SPECIAL_TYPES[k];
      if (simple !== undefined) {
        this.pos += 2;
        return new SpecialName(simple, this.parseType());
      }
      switch (k) {
        case 0x41 /* A */:
          this.pos += 2;
          return new SpecialName("template parameter object for ", this.parseTemplateArg());
        case 0x63 /* c */:
          this.pos += 2;
          this.parseCallOffset();
          this.parseCallOffset();
          return new SpecialName("covariant return thunk to ", this.parseEncoding());
        case 0x43 /* C */: {
          this.pos += 2;
          const first = this.parseType();
          if (this.parseNumber(true) === "") this.fail("bad construction vtable");
          this.expect(0x5f);
          const second = this.parseType();
          return new CtorVtableSpecialName(second, first);
        }
        case 0x57 /* W */:
          this.pos += 2;
          return new SpecialName("thread-local wrapper routine for ", this.parseName());
        case 0x48 /* H */:
          this.pos += 2;
          return new SpecialName("thread-local initialization routine for ", this.parseName());
        default: {
          this.pos++;
          const virt = this.look() === 0x76;
          this.parseCallOffset();
          const base = this.parseEncoding();
          return new SpecialName(virt ? "virtual thunk to " : "non-virtual thunk to ", base);
        }
      }
    }
    // G
    switch (this.look(1)) {
      case 0x56 /* V */:
        this.pos += 2;
        return new SpecialName("guard variable for ", this.parseName());
      case 0x52 /* R */: {
        this.pos += 2;
        const name = this.parseName();
        const parsedSeq = this.parseSeqId() >= 0;
        if (!this.consumeChar(0x5f) && parsedSeq) this.fail("bad reference temporary");
        return new SpecialName("reference temporary for ", name);
      }
    }
    this.fail("unknown special name");
  }

  parseName(state?: NameState): Node {
    this.enter();
    const r = this.parseNameInner(state);
    this.leave();
    return r;
  }

  private parseNameInner(state?: NameState): Node {
    const c = this.look();
    if (c === 0x4e /* N */) return this.parseNestedName(state);
    if (c === 0x5a /* Z */) return this.parseLocalName(state);
    const isSubst = { value: false };
    let result = this.parseUnscopedName(state, isSubst);
    if (this.look() === 0x49 /* I */) {
      if (!isSubst.value) this.subs.push(result);
      const ta = this.parseTemplateArgs(state !== undefined);
      if (state !== undefined) state.endsWithTemplateArgs = true;
      result = new NameWithTemplateArgs(result, ta);
    } else if (isSubst.value) {
      this.fail("substitution must be followed by template arguments");
    }
    return result;
  }

  parseUnscopedName(state: NameState | undefined, isSubst: { value: boolean }): Node {
    let std: Node | undefined;
    if (this.consumeIf("St")) std = new NameType("std");
    if (this.look() === 0x53 /* S */) {
      const s = this.parseSubstitution();
      if (std !== undefined) this.fail("std:: before a substitution");
      isSubst.value = true;
      return s;
    }
    return this.parseUnqualifiedName(state, std);
  }

  private parseLocalName(state?: NameState): Node {
    this.pos++; // Z
    const encoding = this.parseEncoding();
    this.expect(E);
    if (this.consumeChar(0x73 /* s */)) {
      this.parseDiscriminator();
      return new LocalName(encoding, new NameType("string literal"));
    }
    if (this.consumeChar(0x64 /* d */)) {
      this.parseNumber(true);
      this.expect(0x5f);
      return new LocalName(encoding, this.parseName(state));
    }
    const entity = this.parseName(state);
    this.parseDiscriminator();
    return new LocalName(encoding, entity);
  }

  /** `_ <digit>`, `__ <number> _`, or trailing digits; ignored when malformed. */
  private parseDiscriminator(): void {
    if (this.numLeft === 0) return;
    const c = this.look();
    if (c === 0x5f) {
      const c1 = this.look(1);
      if (isDigit(c1)) {
        this.pos += 2;
      } else if (c1 === 0x5f) {
        let i = this.pos + 2;
        while (i < this.end && isDigit(this.s.charCodeAt(i))) i++;
        if (i < this.end && this.s.charCodeAt(i) === 0x5f) this.pos = i + 1;
      }
    } else if (isDigit(c)) {
      let i = this.pos + 1;
      while (i < this.end && isDigit(this.s.charCodeAt(i))) i++;
      if (i === this.end) this.pos = this.end;
    }
  }

  private parseNestedName(state?: NameState): Node {
    this.pos++; // N
    const cv = this.parseCVQualifiers();
    if (state !== undefined) state.cvQuals = cv;
    if (this.consumeChar(0x4f /* O */)) {
      if (state !== undefined) state.refQual = 2;
    } else if (this.consumeChar(0x52 /* R */)) {
      if (state !== undefined) state.refQual = 1;
    } else if (state !== undefined) {
      state.refQual = 0;
    }
    let soFar: Node | undefined;
    while (!this.consumeChar(E)) {
      if (state !== undefined) state.endsWithTemplateArgs = false;
      const c = this.look();
      if (c === 0x54 /* T */) {
        if (soFar !== undefined) this.fail("template parameter after a prefix");
        soFar = this.parseTemplateParam();
      } else if (c === 0x49 /* I */) {
        if (soFar === undefined) this.fail("template arguments without a template");
        const ta = this.parseTemplateArgs(state !== undefined);
        if (soFar instanceof NameWithTemplateArgs) this.fail("consecutive template arguments");
        if (state !== undefined) state.endsWithTemplateArgs = true;
        soFar = new NameWithTemplateArgs(soFar, ta);
      } else if (c === 0x44 /* D */ && (this.look(1) === 0x74 || this.look(1) === 0x54)) {
        if (soFar !== undefined) this.fail("decltype after a prefix");
        soFar = this.parseDecltype();
      } else {
        if (c === 0x53 /* S */) {
          let s: Node;
          if (this.look(1) === 0x74 /* t */) {
            this.pos += 2;
            s = new NameType("std");
          } else {
            s = this.parseSubstitution();
          }
          if (soFar !== undefined) this.fail("substitution after a prefix");
          soFar = s;
          continue;
        }
        soFar = this.parseUnqualifiedName(state, soFar);
      }
      this.subs.push(soFar);
      this.consumeChar(0x4d /* M */);
    }
    if (soFar === undefined || this.subs.length === 0) this.fail("empty nested name");
    this.subs.pop();
    return soFar;
  }

  private parseUnqualifiedName(state: NameState | undefined, scope: Node | undefined): Node {
    this.consumeChar(0x4c /* L */);
    const c = this.look();
    let result: Node;
    if (c >= 0x31 && c <= 0x39) {
      result = this.parseSourceName();
    } else if (c === 0x55 /* U */) {
      result = this.parseUnnamedTypeName(state !== undefined);
    } else if (this.consumeIf("DC")) {
      const bindings: Node[] = [];
      do bindings.push(this.parseSourceName());
      while (!this.consumeChar(E));
      result = new StructuredBindingName(bindings);
    } else if (c === 0x43 /* C */ || c === 0x44 /* D */) {
      if (scope === undefined) this.fail("constructor or destructor without a class");
      if (scope instanceof SpecialSubstitution) scope = new ExpandedSpecialSubstitution(scope.sub);
      result = this.parseCtorDtorName(scope, state);
    } else {
      result = this.parseOperatorName(state);
    }
    result = this.parseAbiTags(result);
    return scope !== undefined ? new NestedName(scope, result) : result;
  }

  private parseCtorDtorName(scope: Node, state: NameState | undefined): Node {
    if (this.consumeChar(0x43 /* C */)) {
      const inherited = this.consumeChar(0x49 /* I */);
      const v = this.look() - 0x30;
      if (v < 1 || v > 5) this.fail("bad constructor kind");
      this.pos++;
      if (state !== undefined) state.ctorDtorConversion = true;
      if (inherited) this.parseName(state);
      return new CtorDtorName(scope, false, v);
    }
    const v = this.look(1) - 0x30;
    if (this.look() === 0x44 && (v === 0 || v === 1 || v === 2 || v === 4 || v === 5)) {
      this.pos += 2;
      if (state !== undefined) state.ctorDtorConversion = true;
      return new CtorDtorName(scope, true, v);
    }
    this.fail("bad destructor kind");
  }

  parseOperatorName(state?: NameState): Node {
    const op = this.parseOperatorEncoding();
    if (op !== undefined) {
      if (op.kind === "ccast") {
        const savedTry = this.tryToParseTemplateArgs;
        const savedPermit = this.permitForwardTemplateReferences;
        this.tryToParseTemplateArgs = false;
        this.permitForwardTemplateReferences = savedPermit || state !== undefined;
        const t = this.parseType();
        this.tryToParseTemplateArgs = savedTry;
        this.permitForwardTemplateReferences = savedPermit;
        if (state !== undefined) state.ctorDtorConversion = true;
        return new ConversionOperatorType(t);
      }
      if (!isNameableOperator(op)) this.fail("operator cannot be named");
      return new OperatorName(op.code, op.name);
    }
    if (this.consumeIf("li")) return new LiteralOperator(this.parseSourceName());
    if (this.consumeChar(0x76 /* v */)) {
      if (isDigit(this.look())) {
        this.pos++;
        return new ConversionOperatorType(this.parseSourceName());
      }
    }
    this.fail("expected a name");
  }
}

const SPECIAL_TYPES: Record<number, string> = {
  0x56: "vtable for ",
  0x54: "VTT for ",
  0x49: "typeinfo for ",
  0x53: "typeinfo name for ",
};
