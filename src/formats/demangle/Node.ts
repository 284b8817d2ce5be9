/**
 * The parse tree of an Itanium C++ ABI mangled name, and the output buffer that prints it.
 *
 * Every node prints itself in two halves, `printLeft` and `printRight`, because C++ declarator syntax
 * wraps types around their inner parts: a pointer to a function returning `int` prints `int (*` on
 * the left of whatever it declares and `)()` on the right. `hasRHS`, `hasArray` and `hasFunction`
 * let an outer node ask whether it must open a parenthesis. The text produced follows
 * `llvm-cxxfilt` (LLVM 16): `>>` without a space, `'lambda'(int)`, `char const*`.
 *
 * Invariants that make printing total and bounded:
 * - Nodes are immutable once built (except a forward template reference, which is resolved exactly
 *   once, and never to a node containing itself), so a tree is a DAG of earlier nodes: no cycles.
 * - Each node records its `depth`; building a node deeper than {@link MAX_NODE_DEPTH} throws
 *   {@link DemangleError}, so printing recursion is bounded.
 * - {@link OutputBuffer} throws {@link DemangleError} past its size limit, so substitutions that
 *   repeat a subtree exponentially fail fast instead of exhausting memory.
 */

// Divergence from XNU: llvm-cxxfilt has neither bound; we fail with DemangleError instead.
/** How deep a parse tree may nest before the input is rejected. */
export const MAX_NODE_DEPTH = 640;
/** Default bound on printed text, in UTF-16 units. */
export const DEFAULT_OUTPUT_LIMIT = 1 << 20;

/** A mangled name that cannot be demangled (malformed, or past the depth/size bounds). */
export class DemangleError extends SyntaxError {
  /** Offset in the mangled text where parsing stopped (-1 while printing). */
  declare readonly offset: number;

  constructor(message: string, offset: number) {
    super(offset >= 0 ? `${message} at offset ${offset}` : message);
    this.name = "DemangleError";
    this.offset = offset;
  }
}

/** Operator precedence, tightest first, as used to decide parentheses in expressions. */
export const Prec = {
  Primary: 0, Postfix: 1, Unary: 2, Cast: 3, PtrMem: 4, Multiplicative: 5, Additive: 6, Shift: 7,
  Spaceship: 8, Relational: 9, Equality: 10, And: 11, Xor: 12, Ior: 13, AndIf: 14, OrIf: 15,
  Conditional: 16, Assign: 17, Comma: 18, Default: 19,
} as const;
export type Prec = (typeof Prec)[keyof typeof Prec];

const NO_PACK = -1;

/** Accumulates printed text; tracks template-argument nesting and the pack being expanded. */
export class OutputBuffer {
  declare text: string;
  /** Char code of the last character written (0 when empty). */
  declare last: number;
  /** 0 while directly inside template arguments, where a bare `>` would close the list. */
  declare gtIsGt: number;
  declare packIndex: number;
  declare packMax: number;
  declare readonly limit: number;

  constructor(limit = DEFAULT_OUTPUT_LIMIT) {
    this.text = "";
    this.last = 0;
    this.gtIsGt = 1;
    this.packIndex = NO_PACK;
    this.packMax = NO_PACK;
    this.limit = limit;
  }

  add(t: string): void {
    if (t.length === 0) return;
    this.text += t;
    this.last = t.charCodeAt(t.length - 1);
    if (this.text.length > this.limit) throw new DemangleError(`demangled text exceeds ${this.limit} characters`, -1);
  }

  open(c = "("): void {
    this.gtIsGt++;
    this.add(c);
  }

  close(c = ")"): void {
    this.gtIsGt--;
    this.add(c);
  }

  get position(): number {
    return this.text.length;
  }

  /** Drops text written after `pos` (used to erase an empty pack expansion and its comma). */
  truncate(pos: number): void {
    if (pos >= this.text.length) return;
    this.text = this.text.slice(0, pos);
    this.last = pos === 0 ? 0 : this.text.charCodeAt(pos - 1);
  }

  /** Whether we are inside template arguments but not inside parentheses. */
  get gtInsideTemplateArgs(): boolean {
    return this.gtIsGt === 0;
  }

  static readonly NO_PACK = NO_PACK;
}

/** Base of every parse-tree node. `kind` names the concrete class for `switch`-style consumers. */
export abstract class Node {
  abstract get kind(): string;
  /** Longest path to a leaf, counting this node. */
  declare readonly depth: number;
  /** Precedence when the node is used as an expression operand. */
  declare readonly prec: Prec;

  /** `childDepth` is the greatest depth among the children ({@link dmax}, {@link dlist}). */
  constructor(childDepth: number, prec: Prec = Prec.Primary) {
    if (childDepth >= MAX_NODE_DEPTH) throw new DemangleError(`mangled name nests deeper than ${MAX_NODE_DEPTH}`, -1);
    this.depth = childDepth + 1;
    this.prec = prec;
  }

  abstract printLeft(o: OutputBuffer): void;
  printRight(_o: OutputBuffer): void {}
  hasRHS(_o: OutputBuffer): boolean {
    return false;
  }
  hasArray(_o: OutputBuffer): boolean {
    return false;
  }
  hasFunction(_o: OutputBuffer): boolean {
    return false;
  }
  /** The node that determines this one's syntax (looks through packs and forward references). */
  syntaxNode(_o: OutputBuffer): Node {
    return this;
  }
  /** The unqualified name a constructor or destructor of this scope takes. */
  get baseName(): string {
    return "";
  }

  print(o: OutputBuffer): void {
    this.printLeft(o);
    this.printRight(o);
  }

  /** Prints as an operand of an operator of precedence `p`, parenthesised when needed. */
  printAsOperand(o: OutputBuffer, p: Prec = Prec.Default, strictlyWorse = false): void {
    const paren = this.prec >= p + (strictlyWorse ? 1 : 0);
    if (paren) o.open();
    this.print(o);
    if (paren) o.close();
  }

  /** Prints to a string (throws {@link DemangleError} past the output limit). */
  toString(limit = DEFAULT_OUTPUT_LIMIT): string {
    const o = new OutputBuffer(limit);
    this.print(o);
    return o.text;
  }
}

/** The greatest depth among up to three optional children (no array allocated). */
export function dmax(a: Node | undefined, b?: Node, c?: Node): number {
  let d = a === undefined ? 0 : a.depth;
  if (b !== undefined && b.depth > d) d = b.depth;
  if (c !== undefined && c.depth > d) d = c.depth;
  return d;
}

/** The greatest depth among `list` and `base`. */
export function dlist(list: readonly Node[], base = 0): number {
  let d = base;
  for (let i = 0; i < list.length; i++) if (list[i]!.depth > d) d = list[i]!.depth;
  return d;
}

/** Prints nodes separated by ", ", erasing the comma before an empty pack expansion. */
export function printWithComma(o: OutputBuffer, nodes: readonly Node[]): void {
  let first = true;
  for (const n of nodes) {
    const before = o.position;
    if (!first) o.add(", ");
    const after = o.position;
    n.printAsOperand(o, Prec.Comma);
    if (o.position === after) {
      o.truncate(before);
      continue;
    }
    first = false;
  }
}

/** `(a, b, c)`. */
export function printParenList(o: OutputBuffer, nodes: readonly Node[]): void {
  o.open();
  printWithComma(o, nodes);
  o.close();
}
