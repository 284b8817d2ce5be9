/**
 * Name nodes: identifiers, nested and local names, template arguments, constructors and
 * destructors, operator names, lambdas and the other unnamed types, and the special names
 * (vtables, typeinfo, guard variables, thunks). Printing follows llvm-cxxfilt 16.
 */
import { Node, OutputBuffer, dlist, dmax, printWithComma, type Prec } from "./Node.ts";

/** A plain name: an identifier, a builtin type, `std`, `(anonymous namespace)`, `this`. */
export class NameType extends Node {
  get kind(): string {
    return "NameType";
  }
  declare readonly name: string;
  constructor(name: string, prec?: Prec) {
    super(0, prec);
    this.name = name;
  }
  printLeft(o: OutputBuffer): void {
    o.add(this.name);
  }
  override get baseName(): string {
    return this.name;
  }
}

/** An operator function name such as `operator+=` or `operator new[]`; `code` is the mangling. */
export class OperatorName extends Node {
  get kind(): string {
    return "OperatorName";
  }
  declare readonly code: string;
  declare readonly name: string;
  constructor(code: string, name: string) {
    super(0);
    this.code = code;
    this.name = name;
  }
  printLeft(o: OutputBuffer): void {
    o.add(this.name);
  }
  override get baseName(): string {
    return this.name;
  }
}

/** `scope::name`. */
export class NestedName extends Node {
  get kind(): string {
    return "NestedName";
  }
  declare readonly qual: Node;
  declare readonly name: Node;
  constructor(qual: Node, name: Node) {
    super(dmax(qual, name));
    this.qual = qual;
    this.name = name;
  }
  printLeft(o: OutputBuffer): void {
    this.qual.print(o);
    o.add("::");
    this.name.print(o);
  }
  override get baseName(): string {
    return this.name.baseName;
  }
}

/** An entity local to a function: `encoding::entity`. */
export class LocalName extends Node {
  get kind(): string {
    return "LocalName";
  }
  declare readonly encoding: Node;
  declare readonly entity: Node;
  constructor(encoding: Node, entity: Node) {
    super(dmax(encoding, entity));
    this.encoding = encoding;
    this.entity = entity;
  }
  printLeft(o: OutputBuffer): void {
    this.encoding.print(o);
    o.add("::");
    this.entity.print(o);
  }
  override get baseName(): string {
    return this.entity.baseName;
  }
}

/** A qualified name inside an expression (`T::x`, `A<int>::f`): printed like a nested name. */
export class QualifiedName extends NestedName {
  override get kind(): string {
    return "QualifiedName";
  }
}

/** `::name`. */
export class GlobalQualifiedName extends Node {
  get kind(): string {
    return "GlobalQualifiedName";
  }
  declare readonly child: Node;
  constructor(child: Node) {
    super(dmax(child));
    this.child = child;
  }
  printLeft(o: OutputBuffer): void {
    o.add("::");
    this.child.print(o);
  }
  override get baseName(): string {
    return this.child.baseName;
  }
}

/** `<a, b, c>`. */
export class TemplateArgs extends Node {
  get kind(): string {
    return "TemplateArgs";
  }
  declare readonly params: readonly Node[];
  constructor(params: readonly Node[]) {
    super(dlist(params));
    this.params = params;
  }
  printLeft(o: OutputBuffer): void {
    const saved = o.gtIsGt;
    o.gtIsGt = 0;
    o.add("<");
    printWithComma(o, this.params);
    o.add(">");
    o.gtIsGt = saved;
  }
}

/** `name<args>`. */
export class NameWithTemplateArgs extends Node {
  get kind(): string {
    return "NameWithTemplateArgs";
  }
  declare readonly name: Node;
  declare readonly templateArgs: TemplateArgs;
  constructor(name: Node, templateArgs: TemplateArgs) {
    super(dmax(name, templateArgs));
    this.name = name;
    this.templateArgs = templateArgs;
  }
  printLeft(o: OutputBuffer): void {
    this.name.print(o);
    this.templateArgs.print(o);
  }
  override get baseName(): string {
    return this.name.baseName;
  }
}

/** `name[abi:tag]`. */
export class AbiTagAttr extends Node {
  get kind(): string {
    return "AbiTagAttr";
  }
  declare readonly base: Node;
  declare readonly tag: string;
  constructor(base: Node, tag: string) {
    super(dmax(base));
    this.base = base;
    this.tag = tag;
  }
  printLeft(o: OutputBuffer): void {
    this.base.printLeft(o);
    o.add("[abi:");
    o.add(this.tag);
    o.add("]");
  }
  override get baseName(): string {
    return this.base.baseName;
  }
}

/** A constructor (`C1` complete, `C2` base, `C3` allocating) or destructor (`D0` deleting, `D1`, `D2`). */
export class CtorDtorName extends Node {
  get kind(): string {
    return "CtorDtorName";
  }
  declare readonly scope: Node;
  declare readonly isDtor: boolean;
  declare readonly variant: number;
  constructor(scope: Node, isDtor: boolean, variant: number) {
    super(dmax(scope));
    this.scope = scope;
    this.isDtor = isDtor;
    this.variant = variant;
  }
  printLeft(o: OutputBuffer): void {
    if (this.isDtor) o.add("~");
    o.add(printedCtorBaseName(this.scope));
  }
  override get baseName(): string {
    return (this.isDtor ? "~" : "") + this.scope.baseName;
  }
}

/** `~T` in an unresolved expression name. */
export class DtorName extends Node {
  get kind(): string {
    return "DtorName";
  }
  declare readonly base: Node;
  constructor(base: Node) {
    super(dmax(base));
    this.base = base;
  }
  printLeft(o: OutputBuffer): void {
    o.add("~");
    this.base.printLeft(o);
  }
}

/** `operator T` (conversion), also used for vendor extended operators. */
export class ConversionOperatorType extends Node {
  get kind(): string {
    return "ConversionOperatorType";
  }
  declare readonly type: Node;
  constructor(type: Node) {
    super(dmax(type));
    this.type = type;
  }
  printLeft(o: OutputBuffer): void {
    o.add("operator ");
    this.type.print(o);
  }
  override get baseName(): string {
    return "operator " + new NameText(this.type).text;
  }
}

/** `operator"" _suffix`. */
export class LiteralOperator extends Node {
  get kind(): string {
    return "LiteralOperator";
  }
  declare readonly opName: Node;
  constructor(opName: Node) {
    super(dmax(opName));
    this.opName = opName;
  }
  printLeft(o: OutputBuffer): void {
    o.add('operator"" ');
    this.opName.print(o);
  }
  override get baseName(): string {
    return 'operator"" ' + this.opName.baseName;
  }
}

/** An unnamed class or enum: `'unnamed'`, `'unnamed0'`. */
export class UnnamedTypeName extends Node {
  get kind(): string {
    return "UnnamedTypeName";
  }
  declare readonly count: string;
  constructor(count: string) {
    super(0);
    this.count = count;
  }
  printLeft(o: OutputBuffer): void {
    o.add("'unnamed");
    o.add(this.count);
    o.add("'");
  }
  override get baseName(): string {
    return `'unnamed${this.count}'`;
  }
}

/** A lambda's closure type: `'lambda'(int)`, `'lambda0'<typename $T>(auto)`. */
export class ClosureTypeName extends Node {
  get kind(): string {
    return "ClosureTypeName";
  }
  declare readonly templateParams: readonly Node[];
  declare readonly params: readonly Node[];
  declare readonly count: string;
  constructor(templateParams: readonly Node[], params: readonly Node[], count: string) {
    super(dlist(params, dlist(templateParams)));
    this.templateParams = templateParams;
    this.params = params;
    this.count = count;
  }
  printDeclarator(o: OutputBuffer): void {
    if (this.templateParams.length > 0) {
      const saved = o.gtIsGt;
      o.gtIsGt = 0;
      o.add("<");
      printWithComma(o, this.templateParams);
      o.add(">");
      o.gtIsGt = saved;
    }
    o.open();
    printWithComma(o, this.params);
    o.close();
  }
  printLeft(o: OutputBuffer): void {
    o.add("'lambda");
    o.add(this.count);
    o.add("'");
    this.printDeclarator(o);
  }
  override get baseName(): string {
    return `'lambda${this.count}'`;
  }
}

/** A structured binding declaration `[a, b]`. */
export class StructuredBindingName extends Node {
  get kind(): string {
    return "StructuredBindingName";
  }
  declare readonly bindings: readonly Node[];
  constructor(bindings: readonly Node[]) {
    super(dlist(bindings));
    this.bindings = bindings;
  }
  printLeft(o: OutputBuffer): void {
    o.open("[");
    printWithComma(o, this.bindings);
    o.close("]");
  }
}

/** The abbreviations `Sa Sb Ss Si So Sd`. */
export type SpecialSubstitutionKind = "allocator" | "basic_string" | "string" | "istream" | "ostream" | "iostream";

/** A standard abbreviation as a type: `std::string`, `std::allocator`. */
export class SpecialSubstitution extends Node {
  get kind(): string {
    return "SpecialSubstitution";
  }
  declare readonly sub: SpecialSubstitutionKind;
  constructor(sub: SpecialSubstitutionKind) {
    super(0);
    this.sub = sub;
  }
  printLeft(o: OutputBuffer): void {
    o.add("std::");
    o.add(this.sub);
  }
  override get baseName(): string {
    return this.sub;
  }
}

const EXPANDED: Record<SpecialSubstitutionKind, [string, string]> = {
  allocator: ["allocator", ""],
  basic_string: ["basic_string", ""],
  string: ["basic_string", "<char, std::char_traits<char>, std::allocator<char>>"],
  istream: ["basic_istream", "<char, std::char_traits<char>>"],
  ostream: ["basic_ostream", "<char, std::char_traits<char>>"],
  iostream: ["basic_iostream", "<char, std::char_traits<char>>"],
};

/** A standard abbreviation spelled out, as it prints when it names a constructor's class. */
export class ExpandedSpecialSubstitution extends SpecialSubstitution {
  override get kind(): string {
    return "ExpandedSpecialSubstitution";
  }
  override printLeft(o: OutputBuffer): void {
    const [base, args] = EXPANDED[this.sub];
    o.add("std::");
    o.add(base);
    o.add(args);
  }
  override get baseName(): string {
    return EXPANDED[this.sub][0];
  }
}

/** A prefix and a node: `vtable for X`, `guard variable for x`, `non-virtual thunk to f()`. */
export class SpecialName extends Node {
  get kind(): string {
    return "SpecialName";
  }
  declare readonly special: string;
  declare readonly child: Node;
  constructor(special: string, child: Node) {
    super(dmax(child));
    this.special = special;
    this.child = child;
  }
  printLeft(o: OutputBuffer): void {
    o.add(this.special);
    this.child.print(o);
  }
}

/** `construction vtable for Base-in-Derived`. */
export class CtorVtableSpecialName extends Node {
  get kind(): string {
    return "CtorVtableSpecialName";
  }
  declare readonly firstType: Node;
  declare readonly secondType: Node;
  constructor(firstType: Node, secondType: Node) {
    super(dmax(firstType, secondType));
    this.firstType = firstType;
    this.secondType = secondType;
  }
  printLeft(o: OutputBuffer): void {
    o.add("construction vtable for ");
    this.firstType.print(o);
    o.add("-in-");
    this.secondType.print(o);
  }
}

/** A clone suffix after the encoding: `f() (.cold.1)`. */
export class DotSuffix extends Node {
  get kind(): string {
    return "DotSuffix";
  }
  declare readonly prefix: Node;
  declare readonly suffix: string;
  constructor(prefix: Node, suffix: string) {
    super(dmax(prefix));
    this.prefix = prefix;
    this.suffix = suffix;
  }
  printLeft(o: OutputBuffer): void {
    this.prefix.print(o);
    o.add(" (");
    o.add(this.suffix);
    o.add(")");
  }
}

/** A lambda's explicit template parameter declaration: `typename $T`, `int $N`, `auto... $T0`. */
export class TemplateParamDecl extends Node {
  get kind(): string {
    return "TemplateParamDecl";
  }
  declare readonly declKind: "type" | "nontype" | "template" | "pack";
  /** The invented name (`$T`), or for a pack the declaration it repeats. */
  declare readonly name: Node;
  declare readonly type: Node | undefined;
  declare readonly params: readonly Node[];
  constructor(declKind: TemplateParamDecl["declKind"], name: Node, type?: Node, params: readonly Node[] = []) {
    super(dlist(params, dmax(name, type)));
    this.declKind = declKind;
    this.name = name;
    this.type = type;
    this.params = params;
  }
  printLeft(o: OutputBuffer): void {
    switch (this.declKind) {
      case "type":
        o.add("typename ");
        break;
      case "nontype":
        this.type!.printLeft(o);
        if (!this.type!.hasRHS(o)) o.add(" ");
        break;
      case "template": {
        const saved = o.gtIsGt;
        o.gtIsGt = 0;
        o.add("template<");
        printWithComma(o, this.params);
        o.add("> typename ");
        o.gtIsGt = saved;
        break;
      }
      case "pack":
        this.name.printLeft(o);
        o.add("...");
        break;
    }
  }
  override printRight(o: OutputBuffer): void {
    if (this.declKind === "pack") {
      this.name.printRight(o);
      return;
    }
    this.name.print(o);
    if (this.declKind === "nontype") this.type!.printRight(o);
  }
}

/** Prints a node to plain text for helpers (no output limit beyond the default). */
class NameText {
  declare readonly text: string;
  constructor(n: Node) {
    this.text = n.toString();
  }
}

/**
 * The class name a constructor or destructor prints. llvm-cxxfilt 16 finds it only through plain,
 * nested, templated, operator and `std` abbreviation names: for an ABI-tagged class (`Foo[abi:cxx11]::()`),
 * an unnamed class or a closure it prints nothing, and we print what it prints.
 * {@link CtorDtorName.baseName} (used by `describeSymbol`) still gives the real name.
 */
function printedCtorBaseName(scope: Node): string {
  let n = scope;
  for (;;) {
    if (n instanceof NestedName) n = n.name;
    else if (n instanceof NameWithTemplateArgs) n = n.name;
    else if (n instanceof GlobalQualifiedName) n = n.child;
    else if (n instanceof NameType || n instanceof OperatorName || n instanceof SpecialSubstitution) return n.baseName;
    else return "";
  }
}
