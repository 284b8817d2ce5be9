/**
 * Type nodes: pointers, references, member pointers, arrays, function types and encodings,
 * cv-qualified and vendor-qualified types, vectors, and the parameter-pack machinery.
 *
 * Declarator printing: a type prints its "left" part, then whatever it declares, then its "right"
 * part; pointers and references to arrays or functions add the parentheses (`int (*) [3]`,
 * `void (&)(int)`). A pack expansion prints its child once per pack element: the first
 * {@link ParameterPack} reached while printing fixes how many elements there are
 * (`OutputBuffer.packMax`) and each element is selected through `OutputBuffer.packIndex`.
 */
import { DemangleError, MAX_NODE_DEPTH, Node, OutputBuffer, dlist, dmax, printParenList, printWithComma } from "./Node.ts";
import { NameType } from "./nameNodes.ts";

/** cv-qualifier bits. */
export const QualConst = 1;
export const QualVolatile = 2;
export const QualRestrict = 4;

/** Reference qualifier of a member function: none, `&`, `&&`. */
export type RefQual = 0 | 1 | 2;

function printQuals(o: OutputBuffer, q: number): void {
  if (q & QualConst) o.add(" const");
  if (q & QualVolatile) o.add(" volatile");
  if (q & QualRestrict) o.add(" restrict");
}

/** The right half shared by function types and encodings: `(params)`, the return type's right part, qualifiers. */
function printSignatureRight(o: OutputBuffer, params: readonly Node[], ret: Node | undefined, cv: number, ref: RefQual): void {
  printParenList(o, params);
  ret?.printRight(o);
  printQuals(o, cv);
  if (ref === 1) o.add(" &");
  else if (ref === 2) o.add(" &&");
}

/** `T*` (and `id<Proto>` for an Objective-C protocol-qualified `objc_object`). */
export class PointerType extends Node {
  get kind(): string {
    return "PointerType";
  }
  declare readonly pointee: Node;
  constructor(pointee: Node) {
    super(dmax(pointee));
    this.pointee = pointee;
  }
  override hasRHS(o: OutputBuffer): boolean {
    return this.pointee.hasRHS(o);
  }
  private isObjCId(): ObjCProtoName | undefined {
    const p = this.pointee;
    return p instanceof ObjCProtoName && p.isObjCObject ? p : undefined;
  }
  printLeft(o: OutputBuffer): void {
    const id = this.isObjCId();
    if (id !== undefined) {
      o.add("id<");
      o.add(id.protocol);
      o.add(">");
      return;
    }
    const p = this.pointee;
    p.printLeft(o);
    const arr = p.hasArray(o);
    if (arr) o.add(" ");
    if (arr || p.hasFunction(o)) o.add("(");
    o.add("*");
  }
  override printRight(o: OutputBuffer): void {
    if (this.isObjCId() !== undefined) return;
    const p = this.pointee;
    if (p.hasArray(o) || p.hasFunction(o)) o.add(")");
    p.printRight(o);
  }
}

/** `T&` or `T&&`, collapsing references to references as C++ does. */
export class ReferenceType extends Node {
  get kind(): string {
    return "ReferenceType";
  }
  declare readonly pointee: Node;
  declare readonly rvalue: boolean;
  declare private printing: boolean;
  constructor(pointee: Node, rvalue: boolean) {
    super(dmax(pointee));
    this.printing = false;
    this.pointee = pointee;
    this.rvalue = rvalue;
  }
  override hasRHS(o: OutputBuffer): boolean {
    return this.pointee.hasRHS(o);
  }
  private collapse(o: OutputBuffer): [boolean, Node] {
    let rvalue = this.rvalue;
    let node = this.pointee;
    for (let i = 0; ; i++) {
      if (i > 2 * MAX_NODE_DEPTH) throw new DemangleError("reference collapsing does not terminate", -1);
      const sn = node.syntaxNode(o);
      if (!(sn instanceof ReferenceType)) break;
      node = sn.pointee;
      rvalue = rvalue && sn.rvalue;
    }
    return [rvalue, node];
  }
  printLeft(o: OutputBuffer): void {
    if (this.printing) return;
    this.printing = true;
    try {
      const [rvalue, p] = this.collapse(o);
      p.printLeft(o);
      const arr = p.hasArray(o);
      if (arr) o.add(" ");
      if (arr || p.hasFunction(o)) o.add("(");
      o.add(rvalue ? "&&" : "&");
    } finally {
      this.printing = false;
    }
  }
  override printRight(o: OutputBuffer): void {
    if (this.printing) return;
    this.printing = true;
    try {
      const [, p] = this.collapse(o);
      if (p.hasArray(o) || p.hasFunction(o)) o.add(")");
      p.printRight(o);
    } finally {
      this.printing = false;
    }
  }
}

/** `T C::*` and `R (C::*)(A)`. */
export class PointerToMemberType extends Node {
  get kind(): string {
    return "PointerToMemberType";
  }
  declare readonly classType: Node;
  declare readonly memberType: Node;
  constructor(classType: Node, memberType: Node) {
    super(dmax(classType, memberType));
    this.classType = classType;
    this.memberType = memberType;
  }
  override hasRHS(o: OutputBuffer): boolean {
    return this.memberType.hasRHS(o);
  }
  printLeft(o: OutputBuffer): void {
    const m = this.memberType;
    m.printLeft(o);
    if (m.hasArray(o) || m.hasFunction(o)) o.add("(");
    else o.add(" ");
    this.classType.print(o);
    o.add("::*");
  }
  override printRight(o: OutputBuffer): void {
    const m = this.memberType;
    if (m.hasArray(o) || m.hasFunction(o)) o.add(")");
    m.printRight(o);
  }
}

/** `T [N]`; the dimension may be absent or an expression. */
export class ArrayType extends Node {
  get kind(): string {
    return "ArrayType";
  }
  declare readonly base: Node;
  declare readonly dimension: Node | undefined;
  constructor(base: Node, dimension: Node | undefined) {
    super(dmax(base, dimension));
    this.base = base;
    this.dimension = dimension;
  }
  override hasRHS(): boolean {
    return true;
  }
  override hasArray(): boolean {
    return true;
  }
  printLeft(o: OutputBuffer): void {
    this.base.printLeft(o);
  }
  override printRight(o: OutputBuffer): void {
    if (o.last !== 0x5d /* ] */) o.add(" ");
    o.add("[");
    this.dimension?.print(o);
    o.add("]");
    this.base.printRight(o);
  }
}

/** A function type `R (A, B) const &&  noexcept`. */
export class FunctionType extends Node {
  get kind(): string {
    return "FunctionType";
  }
  declare readonly ret: Node;
  declare readonly params: readonly Node[];
  declare readonly cvQuals: number;
  declare readonly refQual: RefQual;
  declare readonly exceptionSpec: Node | undefined;
  constructor(ret: Node, params: readonly Node[], cvQuals: number, refQual: RefQual, exceptionSpec: Node | undefined) {
    super(dlist(params, dmax(ret, exceptionSpec)));
    this.ret = ret;
    this.params = params;
    this.cvQuals = cvQuals;
    this.refQual = refQual;
    this.exceptionSpec = exceptionSpec;
  }
  override hasRHS(): boolean {
    return true;
  }
  override hasFunction(): boolean {
    return true;
  }
  printLeft(o: OutputBuffer): void {
    this.ret.printLeft(o);
    o.add(" ");
  }
  override printRight(o: OutputBuffer): void {
    printSignatureRight(o, this.params, this.ret, this.cvQuals, this.refQual);
    if (this.exceptionSpec !== undefined) {
      o.add(" ");
      this.exceptionSpec.print(o);
    }
  }
}

/** A function's full encoding: `R name(params) const &`. `ret` is present for templates only. */
export class FunctionEncoding extends Node {
  get kind(): string {
    return "FunctionEncoding";
  }
  declare readonly ret: Node | undefined;
  declare readonly name: Node;
  declare readonly params: readonly Node[];
  declare readonly attrs: Node | undefined;
  declare readonly cvQuals: number;
  declare readonly refQual: RefQual;
  constructor(ret: Node | undefined, name: Node, params: readonly Node[], attrs: Node | undefined, cvQuals: number, refQual: RefQual) {
    super(dlist(params, dmax(ret, name, attrs)));
    this.ret = ret;
    this.name = name;
    this.params = params;
    this.attrs = attrs;
    this.cvQuals = cvQuals;
    this.refQual = refQual;
  }
  override hasRHS(): boolean {
    return true;
  }
  override hasFunction(): boolean {
    return true;
  }
  printLeft(o: OutputBuffer): void {
    if (this.ret !== undefined) {
      this.ret.printLeft(o);
      if (!this.ret.hasRHS(o)) o.add(" ");
    }
    this.name.print(o);
  }
  override printRight(o: OutputBuffer): void {
    printSignatureRight(o, this.params, this.ret, this.cvQuals, this.refQual);
    this.attrs?.print(o);
  }
  override get baseName(): string {
    return this.name.baseName;
  }
}

/** `T const`, `T volatile`, `T restrict`. */
export class QualType extends Node {
  get kind(): string {
    return "QualType";
  }
  declare readonly child: Node;
  declare readonly quals: number;
  constructor(child: Node, quals: number) {
    super(dmax(child));
    this.child = child;
    this.quals = quals;
  }
  override hasRHS(o: OutputBuffer): boolean {
    return this.child.hasRHS(o);
  }
  override hasArray(o: OutputBuffer): boolean {
    return this.child.hasArray(o);
  }
  override hasFunction(o: OutputBuffer): boolean {
    return this.child.hasFunction(o);
  }
  printLeft(o: OutputBuffer): void {
    this.child.printLeft(o);
    printQuals(o, this.quals);
  }
  override printRight(o: OutputBuffer): void {
    this.child.printRight(o);
  }
}

/** A vendor qualifier: `int __vector`, `T AS1<…>`. */
export class VendorExtQualType extends Node {
  get kind(): string {
    return "VendorExtQualType";
  }
  declare readonly type: Node;
  declare readonly ext: string;
  declare readonly templateArgs: Node | undefined;
  constructor(type: Node, ext: string, templateArgs: Node | undefined) {
    super(dmax(type, templateArgs));
    this.type = type;
    this.ext = ext;
    this.templateArgs = templateArgs;
  }
  printLeft(o: OutputBuffer): void {
    this.type.print(o);
    o.add(" ");
    o.add(this.ext);
    this.templateArgs?.print(o);
  }
}

/** `T complex`, `T imaginary`. */
export class PostfixQualifiedType extends Node {
  get kind(): string {
    return "PostfixQualifiedType";
  }
  declare readonly type: Node;
  declare readonly postfix: string;
  constructor(type: Node, postfix: string) {
    super(dmax(type));
    this.type = type;
    this.postfix = postfix;
  }
  /** Only the left half of the type prints (`int complex` for `C A4_i`), as in llvm-cxxfilt 16. */
  printLeft(o: OutputBuffer): void {
    this.type.printLeft(o);
    o.add(this.postfix);
  }
}

/** `struct X`, `union U`, `enum E`. */
export class ElaboratedTypeSpefType extends Node {
  get kind(): string {
    return "ElaboratedTypeSpefType";
  }
  declare readonly keyword: string;
  declare readonly child: Node;
  constructor(keyword: string, child: Node) {
    super(dmax(child));
    this.keyword = keyword;
    this.child = child;
  }
  printLeft(o: OutputBuffer): void {
    o.add(this.keyword);
    o.add(" ");
    this.child.print(o);
  }
}

/** `float vector[4]`, or `pixel vector[8]` when `base` is undefined. */
export class VectorType extends Node {
  get kind(): string {
    return "VectorType";
  }
  declare readonly base: Node | undefined;
  declare readonly dimension: Node | undefined;
  constructor(base: Node | undefined, dimension: Node | undefined) {
    super(dmax(base, dimension));
    this.base = base;
    this.dimension = dimension;
  }
  printLeft(o: OutputBuffer): void {
    if (this.base === undefined) o.add("pixel");
    else this.base.print(o);
    o.add(" vector[");
    this.dimension?.print(o);
    o.add("]");
  }
}

/** `_FloatN`, `_BitInt(N)`, `unsigned _BitInt(N)`, and vendor type transforms `__underlying_type(T)`. */
export class SizedBuiltinType extends Node {
  get kind(): string {
    return "SizedBuiltinType";
  }
  declare readonly form: "float" | "bitint" | "ubitint" | "transform";
  declare readonly arg: Node;
  declare readonly transform: string;
  constructor(form: SizedBuiltinType["form"], arg: Node, transform = "") {
    super(dmax(arg));
    this.form = form;
    this.arg = arg;
    this.transform = transform;
  }
  printLeft(o: OutputBuffer): void {
    switch (this.form) {
      case "float":
        o.add("_Float");
        this.arg.print(o);
        return;
      case "transform":
        o.add(this.transform);
        o.add("(");
        this.arg.print(o);
        o.add(")");
        return;
      default:
        if (this.form === "ubitint") o.add("unsigned ");
        o.add("_BitInt");
        o.open();
        this.arg.printAsOperand(o);
        o.close();
    }
  }
}

/** An Objective-C protocol-qualified type `T<Proto>`. */
export class ObjCProtoName extends Node {
  get kind(): string {
    return "ObjCProtoName";
  }
  declare readonly type: Node;
  declare readonly protocol: string;
  constructor(type: Node, protocol: string) {
    super(dmax(type));
    this.type = type;
    this.protocol = protocol;
  }
  get isObjCObject(): boolean {
    return this.type instanceof NameType && this.type.name === "objc_object";
  }
  printLeft(o: OutputBuffer): void {
    this.type.print(o);
    o.add("<");
    o.add(this.protocol);
    o.add(">");
  }
}

/** `noexcept(expr)` or `throw(A, B)` on a function type. */
export class ExceptionSpec extends Node {
  get kind(): string {
    return "ExceptionSpec";
  }
  declare readonly dynamic: boolean;
  declare readonly args: readonly Node[];
  constructor(dynamic: boolean, args: readonly Node[]) {
    super(dlist(args));
    this.dynamic = dynamic;
    this.args = args;
  }
  printLeft(o: OutputBuffer): void {
    if (this.dynamic) {
      o.add("throw");
      printParenList(o, this.args);
    } else {
      o.add("noexcept");
      o.open();
      this.args[0]!.printAsOperand(o);
      o.close();
    }
  }
}

/** Clang's ` [enable_if:cond]` attribute. */
export class EnableIfAttr extends Node {
  get kind(): string {
    return "EnableIfAttr";
  }
  declare readonly conditions: readonly Node[];
  constructor(conditions: readonly Node[]) {
    super(dlist(conditions));
    this.conditions = conditions;
  }
  printLeft(o: OutputBuffer): void {
    o.add(" [enable_if:");
    printWithComma(o, this.conditions);
    o.add("]");
  }
}

/** A template argument pack `J…E` as written in template arguments: `a, b, c`. */
export class TemplateArgumentPack extends Node {
  get kind(): string {
    return "TemplateArgumentPack";
  }
  declare readonly elements: readonly Node[];
  constructor(elements: readonly Node[]) {
    super(dlist(elements));
    this.elements = elements;
  }
  printLeft(o: OutputBuffer): void {
    printWithComma(o, this.elements);
  }
}

/** A pack as a template parameter refers to it; prints the element selected by the expansion. */
export class ParameterPack extends Node {
  get kind(): string {
    return "ParameterPack";
  }
  declare readonly elements: readonly Node[];
  constructor(elements: readonly Node[]) {
    super(dlist(elements));
    this.elements = elements;
  }
  private current(o: OutputBuffer): Node | undefined {
    if (o.packMax === OutputBuffer.NO_PACK) {
      o.packMax = this.elements.length;
      o.packIndex = 0;
    }
    return this.elements[o.packIndex];
  }
  override hasRHS(o: OutputBuffer): boolean {
    return this.current(o)?.hasRHS(o) ?? false;
  }
  override hasArray(o: OutputBuffer): boolean {
    return this.current(o)?.hasArray(o) ?? false;
  }
  override hasFunction(o: OutputBuffer): boolean {
    return this.current(o)?.hasFunction(o) ?? false;
  }
  override syntaxNode(o: OutputBuffer): Node {
    return this.current(o)?.syntaxNode(o) ?? this;
  }
  printLeft(o: OutputBuffer): void {
    this.current(o)?.printLeft(o);
  }
  override printRight(o: OutputBuffer): void {
    this.current(o)?.printRight(o);
  }
}

/** `Dp T` / `sp e`: the child printed once per element of the pack it mentions. */
export class ParameterPackExpansion extends Node {
  get kind(): string {
    return "ParameterPackExpansion";
  }
  declare readonly child: Node;
  constructor(child: Node) {
    super(dmax(child));
    this.child = child;
  }
  printLeft(o: OutputBuffer): void {
    const savedIndex = o.packIndex;
    const savedMax = o.packMax;
    o.packIndex = OutputBuffer.NO_PACK;
    o.packMax = OutputBuffer.NO_PACK;
    const start = o.position;
    this.child.print(o);
    const max = o.packMax;
    if (max === OutputBuffer.NO_PACK) {
      o.add("...");
    } else if (max === 0) {
      o.truncate(start);
    } else {
      for (let i = 1; i < max; i++) {
        o.add(", ");
        o.packIndex = i;
        this.child.print(o);
      }
    }
    o.packIndex = savedIndex;
    o.packMax = savedMax;
  }
}

/**
 * A template parameter used before its argument is parsed (in a conversion operator's type).
 * Resolved once the name's template arguments are known; printing is guarded so even a
 * self-referential resolution terminates.
 */
export class ForwardTemplateReference extends Node {
  get kind(): string {
    return "ForwardTemplateReference";
  }
  declare readonly index: number;
  declare ref: Node | undefined;
  declare private printing: boolean;
  constructor(index: number) {
    super(0);
    this.ref = undefined;
    this.printing = false;
    this.index = index;
  }
  private with<T>(o: OutputBuffer, dflt: T, f: (r: Node) => T): T {
    if (this.printing || this.ref === undefined) return dflt;
    this.printing = true;
    try {
      return f(this.ref);
    } finally {
      this.printing = false;
    }
  }
  override hasRHS(o: OutputBuffer): boolean {
    return this.with(o, false, (r) => r.hasRHS(o));
  }
  override hasArray(o: OutputBuffer): boolean {
    return this.with(o, false, (r) => r.hasArray(o));
  }
  override hasFunction(o: OutputBuffer): boolean {
    return this.with(o, false, (r) => r.hasFunction(o));
  }
  override syntaxNode(o: OutputBuffer): Node {
    return this.with<Node>(o, this, (r) => r.syntaxNode(o));
  }
  printLeft(o: OutputBuffer): void {
    this.with(o, undefined, (r) => r.printLeft(o));
  }
  override printRight(o: OutputBuffer): void {
    this.with(o, undefined, (r) => r.printRight(o));
  }
  override get baseName(): string {
    return this.ref?.baseName ?? "";
  }
}

