/**
 * Expression nodes, found in `decltype(…)`, array bounds, `noexcept(…)` and non-type template
 * arguments. Parentheses follow operator precedence (`Node.prec`), and a `>` directly inside
 * template arguments is parenthesised so that it cannot close the argument list.
 */
import { Node, OutputBuffer, Prec, dlist, dmax, printParenList, printWithComma } from "./Node.ts";
import { ClosureTypeName } from "./nameNodes.ts";
import { ParameterPackExpansion } from "./typeNodes.ts";

/** `a + b`, `a = b`, `a, b`. */
export class BinaryExpr extends Node {
  get kind(): string {
    return "BinaryExpr";
  }
  declare readonly lhs: Node;
  declare readonly op: string;
  declare readonly rhs: Node;
  constructor(lhs: Node, op: string, rhs: Node, prec: Prec) {
    super(dmax(lhs, rhs), prec);
    this.lhs = lhs;
    this.op = op;
    this.rhs = rhs;
  }
  printLeft(o: OutputBuffer): void {
    const parenAll = o.gtInsideTemplateArgs && (this.op === ">" || this.op === ">>");
    if (parenAll) o.open();
    const isAssign = this.prec === Prec.Assign;
    this.lhs.printAsOperand(o, isAssign ? Prec.OrIf : this.prec, !isAssign);
    if (this.op !== ",") o.add(" ");
    o.add(this.op);
    o.add(" ");
    this.rhs.printAsOperand(o, this.prec, isAssign);
    if (parenAll) o.close();
  }
}

/** `-a`, `!a`, `&a`, `*a`, and postfix `a++` when `postfix`. */
export class UnaryExpr extends Node {
  get kind(): string {
    return "UnaryExpr";
  }
  declare readonly op: string;
  declare readonly child: Node;
  declare readonly postfix: boolean;
  constructor(op: string, child: Node, prec: Prec, postfix: boolean) {
    super(dmax(child), prec);
    this.op = op;
    this.child = child;
    this.postfix = postfix;
  }
  printLeft(o: OutputBuffer): void {
    if (this.postfix) {
      this.child.printAsOperand(o, this.prec, true);
      o.add(this.op);
    } else {
      o.add(this.op);
      this.child.printAsOperand(o, this.prec);
    }
  }
}

/** `a[b]`. */
export class ArraySubscriptExpr extends Node {
  get kind(): string {
    return "ArraySubscriptExpr";
  }
  declare readonly base: Node;
  declare readonly index: Node;
  constructor(base: Node, index: Node, prec: Prec) {
    super(dmax(base, index), prec);
    this.base = base;
    this.index = index;
  }
  printLeft(o: OutputBuffer): void {
    this.base.printAsOperand(o, this.prec);
    o.open("[");
    this.index.printAsOperand(o);
    o.close("]");
  }
}

/** `a.b`, `a->b`, `a.*b`, `a->*b`. */
export class MemberExpr extends Node {
  get kind(): string {
    return "MemberExpr";
  }
  declare readonly lhs: Node;
  declare readonly op: string;
  declare readonly rhs: Node;
  constructor(lhs: Node, op: string, rhs: Node, prec: Prec) {
    super(dmax(lhs, rhs), prec);
    this.lhs = lhs;
    this.op = op;
    this.rhs = rhs;
  }
  printLeft(o: OutputBuffer): void {
    this.lhs.printAsOperand(o, this.prec, true);
    o.add(this.op);
    this.rhs.printAsOperand(o, this.prec, false);
  }
}

/** `new (args) T(init)`, `::new[] T`. */
export class NewExpr extends Node {
  get kind(): string {
    return "NewExpr";
  }
  declare readonly exprs: readonly Node[];
  declare readonly type: Node;
  declare readonly inits: readonly Node[];
  declare readonly global: boolean;
  declare readonly array: boolean;
  constructor(exprs: readonly Node[], type: Node, inits: readonly Node[], global: boolean, array: boolean, prec: Prec) {
    super(dlist(inits, dlist(exprs, dmax(type))), prec);
    this.exprs = exprs;
    this.type = type;
    this.inits = inits;
    this.global = global;
    this.array = array;
  }
  printLeft(o: OutputBuffer): void {
    if (this.global) o.add("::");
    o.add("new");
    if (this.array) o.add("[]");
    if (this.exprs.length > 0) printParenList(o, this.exprs);
    o.add(" ");
    this.type.print(o);
    if (this.inits.length > 0) printParenList(o, this.inits);
  }
}

/** `delete p`, `::delete[] p`. */
export class DeleteExpr extends Node {
  get kind(): string {
    return "DeleteExpr";
  }
  declare readonly child: Node;
  declare readonly global: boolean;
  declare readonly array: boolean;
  constructor(child: Node, global: boolean, array: boolean, prec: Prec) {
    super(dmax(child), prec);
    this.child = child;
    this.global = global;
    this.array = array;
  }
  printLeft(o: OutputBuffer): void {
    if (this.global) o.add("::");
    o.add("delete");
    if (this.array) o.add("[]");
    o.add(" ");
    this.child.print(o);
  }
}

/** `f(a, b)`. */
export class CallExpr extends Node {
  get kind(): string {
    return "CallExpr";
  }
  declare readonly callee: Node;
  declare readonly args: readonly Node[];
  constructor(callee: Node, args: readonly Node[], prec: Prec) {
    super(dlist(args, dmax(callee)), prec);
    this.callee = callee;
    this.args = args;
  }
  printLeft(o: OutputBuffer): void {
    this.callee.print(o);
    printParenList(o, this.args);
  }
}

/** A C-style cast or functional conversion `(T)(a, b)`. */
export class ConversionExpr extends Node {
  get kind(): string {
    return "ConversionExpr";
  }
  declare readonly type: Node;
  declare readonly exprs: readonly Node[];
  constructor(type: Node, exprs: readonly Node[], prec: Prec) {
    super(dlist(exprs, dmax(type)), prec);
    this.type = type;
    this.exprs = exprs;
  }
  printLeft(o: OutputBuffer): void {
    o.open();
    this.type.print(o);
    o.close();
    printParenList(o, this.exprs);
  }
}

/** `c ? a : b`. */
export class ConditionalExpr extends Node {
  get kind(): string {
    return "ConditionalExpr";
  }
  declare readonly cond: Node;
  declare readonly then: Node;
  declare readonly otherwise: Node;
  constructor(cond: Node, then: Node, otherwise: Node, prec: Prec) {
    super(dmax(cond, then, otherwise), prec);
    this.cond = cond;
    this.then = then;
    this.otherwise = otherwise;
  }
  printLeft(o: OutputBuffer): void {
    this.cond.printAsOperand(o, this.prec);
    o.add(" ? ");
    this.then.printAsOperand(o);
    o.add(" : ");
    this.otherwise.printAsOperand(o, Prec.Assign, true);
  }
}

/** `static_cast<T>(e)` and the other named casts. */
export class CastExpr extends Node {
  get kind(): string {
    return "CastExpr";
  }
  declare readonly castKind: string;
  declare readonly to: Node;
  declare readonly from: Node;
  constructor(castKind: string, to: Node, from: Node, prec: Prec) {
    super(dmax(to, from), prec);
    this.castKind = castKind;
    this.to = to;
    this.from = from;
  }
  printLeft(o: OutputBuffer): void {
    o.add(this.castKind);
    const saved = o.gtIsGt;
    o.gtIsGt = 0;
    o.add("<");
    this.to.printLeft(o);
    o.add(">");
    o.gtIsGt = saved;
    o.open();
    this.from.printAsOperand(o);
    o.close();
  }
}

/** `prefix(infix)`: `decltype(e)`, `sizeof (T)`, `noexcept (e)`, `typeid (T)`. */
export class EnclosingExpr extends Node {
  get kind(): string {
    return "EnclosingExpr";
  }
  declare readonly prefix: string;
  declare readonly infix: Node;
  constructor(prefix: string, infix: Node, prec: Prec = Prec.Primary) {
    super(dmax(infix), prec);
    this.prefix = prefix;
    this.infix = infix;
  }
  printLeft(o: OutputBuffer): void {
    o.add(this.prefix);
    o.open();
    this.infix.print(o);
    o.close();
  }
}

/** `sizeof...(T)`. */
export class SizeofParamPackExpr extends Node {
  get kind(): string {
    return "SizeofParamPackExpr";
  }
  declare readonly pack: Node;
  constructor(pack: Node) {
    super(dmax(pack));
    this.pack = pack;
  }
  printLeft(o: OutputBuffer): void {
    o.add("sizeof...(");
    new ParameterPackExpansion(this.pack).printLeft(o);
    o.add(")");
  }
}

/** `throw e`. */
export class ThrowExpr extends Node {
  get kind(): string {
    return "ThrowExpr";
  }
  declare readonly child: Node;
  constructor(child: Node) {
    super(dmax(child));
    this.child = child;
  }
  printLeft(o: OutputBuffer): void {
    o.add("throw ");
    this.child.print(o);
  }
}

/** `T{a, b}` or `{a, b}`. */
export class InitListExpr extends Node {
  get kind(): string {
    return "InitListExpr";
  }
  declare readonly type: Node | undefined;
  declare readonly inits: readonly Node[];
  constructor(type: Node | undefined, inits: readonly Node[]) {
    super(dlist(inits, dmax(type)));
    this.type = type;
    this.inits = inits;
  }
  printLeft(o: OutputBuffer): void {
    this.type?.print(o);
    o.add("{");
    printWithComma(o, this.inits);
    o.add("}");
  }
}

/** A designated initializer `.field = x`, `[i] = x`, `[a ... b] = x`. */
export class BracedExpr extends Node {
  get kind(): string {
    return "BracedExpr";
  }
  declare readonly elem: Node;
  declare readonly rangeEnd: Node | undefined;
  declare readonly init: Node;
  declare readonly isArray: boolean;
  constructor(elem: Node, init: Node, isArray: boolean, rangeEnd?: Node) {
    super(dmax(elem, init, rangeEnd));
    this.elem = elem;
    this.init = init;
    this.isArray = isArray;
    this.rangeEnd = rangeEnd;
  }
  printLeft(o: OutputBuffer): void {
    if (this.rangeEnd !== undefined) {
      o.add("[");
      this.elem.print(o);
      o.add(" ... ");
      this.rangeEnd.print(o);
      o.add("]");
    } else if (this.isArray) {
      o.add("[");
      this.elem.print(o);
      o.add("]");
    } else {
      o.add(".");
      this.elem.print(o);
    }
    if (!(this.init instanceof BracedExpr)) o.add(" = ");
    this.init.print(o);
  }
}

/** A fold expression `(... + a)`, `(a + ...)`, `(init + ... + a)`. */
export class FoldExpr extends Node {
  get kind(): string {
    return "FoldExpr";
  }
  declare readonly leftFold: boolean;
  declare readonly op: string;
  declare readonly pack: Node;
  declare readonly init: Node | undefined;
  constructor(leftFold: boolean, op: string, pack: Node, init: Node | undefined) {
    super(dmax(pack, init));
    this.leftFold = leftFold;
    this.op = op;
    this.pack = pack;
    this.init = init;
  }
  printLeft(o: OutputBuffer): void {
    const printPack = (): void => {
      o.open();
      new ParameterPackExpansion(this.pack).print(o);
      o.close();
    };
    o.open();
    if (!this.leftFold || this.init !== undefined) {
      if (this.leftFold) this.init!.printAsOperand(o, Prec.Cast, true);
      else printPack();
      o.add(" ");
      o.add(this.op);
      o.add(" ");
    }
    o.add("...");
    if (this.leftFold || this.init !== undefined) {
      o.add(" ");
      o.add(this.op);
      o.add(" ");
      if (this.leftFold) printPack();
      else this.init!.printAsOperand(o, Prec.Cast, true);
    }
    o.close();
  }
}

/** A literal: integers (`5u`, `(char)65`), `true`, enumerators `(E)2`, strings, lambdas, floats. */
export class LiteralExpr extends Node {
  get kind(): string {
    return "LiteralExpr";
  }
  declare readonly form: "integer" | "bool" | "enum" | "string" | "lambda" | "float" | "text";
  /** The integer type's suffix or cast name, the float's text, or the literal's own text. */
  declare readonly text: string;
  declare readonly type: Node | undefined;
  constructor(form: LiteralExpr["form"], text: string, type?: Node) {
    super(dmax(type));
    this.form = form;
    this.text = text;
    this.type = type;
  }
  printLeft(o: OutputBuffer): void {
    switch (this.form) {
      case "enum":
        o.open();
        this.type!.print(o);
        o.close();
        printSigned(o, this.text);
        return;
      case "string":
        o.add('"<');
        this.type!.print(o);
        o.add('>"');
        return;
      case "lambda":
        o.add("[]");
        if (this.type instanceof ClosureTypeName) this.type.printDeclarator(o);
        o.add("{...}");
        return;
      default:
        o.add(this.text);
    }
  }
}

/** An integer literal `(type)value` for long type names, `valueSUFFIX` otherwise. */
export class IntegerLiteral extends Node {
  get kind(): string {
    return "IntegerLiteral";
  }
  declare readonly type: string;
  declare readonly value: string;
  constructor(type: string, value: string) {
    super(0);
    this.type = type;
    this.value = value;
  }
  printLeft(o: OutputBuffer): void {
    if (this.type.length > 3) {
      o.open();
      o.add(this.type);
      o.close();
    }
    printSigned(o, this.value);
    if (this.type.length <= 3) o.add(this.type);
  }
}

function printSigned(o: OutputBuffer, v: string): void {
  if (v.charCodeAt(0) === 0x6e /* n */) {
    o.add("-");
    o.add(v.slice(1));
  } else {
    o.add(v);
  }
}

/** A function parameter reference `fp`, `fp0` in a trailing return type or `noexcept`. */
export class FunctionParam extends Node {
  get kind(): string {
    return "FunctionParam";
  }
  declare readonly number: string;
  constructor(number: string) {
    super(0);
    this.number = number;
  }
  printLeft(o: OutputBuffer): void {
    o.add("fp");
    o.add(this.number);
  }
}

/** `reinterpret_cast`-like pointer-to-member conversion and subobject expressions (`mc`, `so`). */
export class SubobjectExpr extends Node {
  get kind(): string {
    return "SubobjectExpr";
  }
  declare readonly type: Node;
  declare readonly sub: Node;
  declare readonly offset: string;
  declare readonly unionSelectors: readonly string[];
  declare readonly onePastTheEnd: boolean;
  declare readonly isMemberPointer: boolean;
  constructor(type: Node, sub: Node, offset: string, unionSelectors: readonly string[], onePastTheEnd: boolean, isMemberPointer: boolean) {
    super(dmax(type, sub), isMemberPointer ? Prec.Unary : Prec.Primary);
    this.type = type;
    this.sub = sub;
    this.offset = offset;
    this.unionSelectors = unionSelectors;
    this.onePastTheEnd = onePastTheEnd;
    this.isMemberPointer = isMemberPointer;
  }
  printLeft(o: OutputBuffer): void {
    if (this.isMemberPointer) {
      o.open();
      this.type.print(o);
      o.close();
      o.open();
      this.sub.print(o);
      o.close();
      return;
    }
    this.sub.print(o);
    o.add(".<");
    this.type.print(o);
    o.add(" at offset ");
    if (this.offset.length === 0) o.add("0");
    else if (this.offset.charCodeAt(0) === 0x6e) {
      o.add("-");
      o.add(this.offset.slice(1));
    } else o.add(this.offset);
    o.add(">");
  }
}
