/**
 * The two-letter operator codes of the Itanium ABI (§5.1.5.1 operator-name and the expression
 * grammar), with the role each plays in an expression, its precedence and its printed name.
 */
import { Prec } from "./Node.ts";

/** How an operator code is used in an expression. Kinds from `namedCast` on cannot name a function. */
export type OperatorKind =
  | "prefix" | "postfix" | "binary" | "array" | "member" | "new" | "del" | "call" | "ccast"
  | "conditional" | "nameOnly" | "namedCast" | "ofIdOp";

export interface OperatorInfo {
  readonly code: string;
  readonly kind: OperatorKind;
  /** new/delete: array form; member: nameable as a function; sizeof/alignof/typeid: takes a type. */
  readonly flag: boolean;
  readonly prec: Prec;
  /** The full name, `operator+=`, or the keyword for casts and `sizeof `. */
  readonly name: string;
  /** What prints between operands: `+=`, `new`, `sizeof `. */
  readonly symbol: string;
}

const P = Prec;
const TABLE: ReadonlyArray<[string, OperatorKind, boolean, Prec, string]> = [
  ["aN", "binary", false, P.Assign, "operator&="],
  ["aS", "binary", false, P.Assign, "operator="],
  ["aa", "binary", false, P.AndIf, "operator&&"],
  ["ad", "prefix", false, P.Unary, "operator&"],
  ["an", "binary", false, P.And, "operator&"],
  ["at", "ofIdOp", true, P.Unary, "alignof "],
  ["aw", "nameOnly", false, P.Primary, "operator co_await"],
  ["az", "ofIdOp", false, P.Unary, "alignof "],
  ["cc", "namedCast", false, P.Postfix, "const_cast"],
  ["cl", "call", false, P.Postfix, "operator()"],
  ["cm", "binary", false, P.Comma, "operator,"],
  ["co", "prefix", false, P.Unary, "operator~"],
  ["cv", "ccast", false, P.Cast, "operator"],
  ["dV", "binary", false, P.Assign, "operator/="],
  ["da", "del", true, P.Unary, "operator delete[]"],
  ["dc", "namedCast", false, P.Postfix, "dynamic_cast"],
  ["de", "prefix", false, P.Unary, "operator*"],
  ["dl", "del", false, P.Unary, "operator delete"],
  ["ds", "member", false, P.PtrMem, "operator.*"],
  ["dt", "member", false, P.Postfix, "operator."],
  ["dv", "binary", false, P.Multiplicative, "operator/"],
  ["eO", "binary", false, P.Assign, "operator^="],
  ["eo", "binary", false, P.Xor, "operator^"],
  ["eq", "binary", false, P.Equality, "operator=="],
  ["ge", "binary", false, P.Relational, "operator>="],
  ["gt", "binary", false, P.Relational, "operator>"],
  ["ix", "array", false, P.Postfix, "operator[]"],
  ["lS", "binary", false, P.Assign, "operator<<="],
  ["le", "binary", false, P.Relational, "operator<="],
  ["ls", "binary", false, P.Shift, "operator<<"],
  ["lt", "binary", false, P.Relational, "operator<"],
  ["mI", "binary", false, P.Assign, "operator-="],
  ["mL", "binary", false, P.Assign, "operator*="],
  ["mi", "binary", false, P.Additive, "operator-"],
  ["ml", "binary", false, P.Multiplicative, "operator*"],
  ["mm", "postfix", false, P.Postfix, "operator--"],
  ["na", "new", true, P.Unary, "operator new[]"],
  ["ne", "binary", false, P.Equality, "operator!="],
  ["ng", "prefix", false, P.Unary, "operator-"],
  ["nt", "prefix", false, P.Unary, "operator!"],
  ["nw", "new", false, P.Unary, "operator new"],
  ["oR", "binary", false, P.Assign, "operator|="],
  ["oo", "binary", false, P.OrIf, "operator||"],
  ["or", "binary", false, P.Ior, "operator|"],
  ["pL", "binary", false, P.Assign, "operator+="],
  ["pl", "binary", false, P.Additive, "operator+"],
  // Divergence from XNU: nameable here (clang emits `operator->*`); llvm-cxxfilt 16 rejects it.
  ["pm", "member", true, P.PtrMem, "operator->*"],
  ["pp", "postfix", false, P.Postfix, "operator++"],
  ["ps", "prefix", false, P.Unary, "operator+"],
  ["pt", "member", true, P.Postfix, "operator->"],
  ["qu", "conditional", false, P.Conditional, "operator?"],
  ["rM", "binary", false, P.Assign, "operator%="],
  ["rS", "binary", false, P.Assign, "operator>>="],
  ["rc", "namedCast", false, P.Postfix, "reinterpret_cast"],
  ["rm", "binary", false, P.Multiplicative, "operator%"],
  ["rs", "binary", false, P.Shift, "operator>>"],
  ["sc", "namedCast", false, P.Postfix, "static_cast"],
  ["ss", "binary", false, P.Spaceship, "operator<=>"],
  ["st", "ofIdOp", true, P.Unary, "sizeof "],
  ["sz", "ofIdOp", false, P.Unary, "sizeof "],
  ["te", "ofIdOp", false, P.Postfix, "typeid "],
  ["ti", "ofIdOp", true, P.Postfix, "typeid "],
];

const NAMELESS: ReadonlySet<OperatorKind> = new Set(["namedCast", "ofIdOp"]);

/** Operators indexed by `c0 * 128 + c1` of their two-letter code, for a lookup without substrings. */
export const OPERATORS_BY_CODE: ReadonlyArray<OperatorInfo | undefined> = (() => {
  const a: Array<OperatorInfo | undefined> = new Array(128 * 128).fill(undefined);
  for (const [code, kind, flag, prec, name] of TABLE) {
    let symbol = name;
    if (!NAMELESS.has(kind)) {
      symbol = name.slice("operator".length);
      if (symbol.startsWith(" ")) symbol = symbol.slice(1);
    }
    a[code.charCodeAt(0) * 128 + code.charCodeAt(1)] = { code, kind, flag, prec, name, symbol };
  }
  return a;
})();

/** Whether an operator of this kind can appear as a function name (`operator+`, not `sizeof`). */
export function isNameableOperator(op: OperatorInfo): boolean {
  if (NAMELESS.has(op.kind)) return false;
  return op.kind !== "member" || op.flag;
}
