/**
 * What a kext linker needs to know about a C++ symbol without re-parsing text: which class it
 * belongs to, the member's unqualified name, and its role in libkern's OSMetaClass runtime
 * (vtable, `gMetaClass`, `superClass`, `MetaClass` constructor, `getMetaClass`, `_RESERVED` pad
 * slots) or the ABI (typeinfo, VTT, thunks, guard variables).
 */
import { DemangleError, type Node } from "./Node.ts";
import { CtorDtorName, LocalName, NameWithTemplateArgs, NestedName, SpecialName, CtorVtableSpecialName, DotSuffix } from "./nameNodes.ts";
import { FunctionEncoding, QualConst } from "./typeNodes.ts";
import { parseMangledName, printNode, type DemangleOptions } from "./demangle.ts";

/** The role a symbol plays. */
export type SymbolKind =
  | "function" | "data" | "constructor" | "destructor"
  | "vtable" | "metaClassVtable" | "vtt" | "typeinfo" | "typeinfoName" | "constructionVtable" | "guardVariable"
  | "nonVirtualThunk" | "virtualThunk" | "covariantThunk" | "otherSpecial"
  | "metaClassInstance" | "metaClassPointer" | "superClassPointer" | "metaClassConstructor"
  | "metaClassAlloc" | "getMetaClass" | "reservedSlot";

export interface SymbolInfo {
  readonly kind: SymbolKind;
  /** The enclosing class or namespace as printed (`IOService`, `std::vector<int>`), if any. */
  readonly className: string | undefined;
  /** The member's own name (`start`, `~IOService`, `operator==`, `gMetaClass`), if any. */
  readonly memberName: string | undefined;
  /** For `_RESERVEDIOService3`: 3. */
  readonly reservedIndex: number | undefined;
  /** A `const` member function. */
  readonly isConst: boolean;
  readonly demangled: string;
  readonly node: Node;
}

const SPECIAL_KINDS: Record<string, SymbolKind> = {
  "vtable for ": "vtable",
  "VTT for ": "vtt",
  "typeinfo for ": "typeinfo",
  "typeinfo name for ": "typeinfoName",
  "guard variable for ": "guardVariable",
  "non-virtual thunk to ": "nonVirtualThunk",
  "virtual thunk to ": "virtualThunk",
  "covariant return thunk to ": "covariantThunk",
};

/** Splits a name into its scope and last component. */
function splitName(name: Node): { scope: Node | undefined; last: Node } {
  let n = name;
  if (n instanceof NameWithTemplateArgs) n = n.name;
  if (n instanceof NestedName) return { scope: n.qual, last: n.name };
  if (n instanceof LocalName) return { scope: n.encoding, last: n.entity };
  return { scope: undefined, last: n };
}

function classify(node: Node): Omit<SymbolInfo, "demangled" | "node"> {
  let n = node instanceof DotSuffix ? node.prefix : node;
  if (n instanceof CtorVtableSpecialName) {
    return { kind: "constructionVtable", className: printNode(n.secondType), memberName: undefined, reservedIndex: undefined, isConst: false };
  }
  if (n instanceof SpecialName) {
    const kind = SPECIAL_KINDS[n.special] ?? "otherSpecial";
    if (kind === "vtable" || kind === "vtt" || kind === "typeinfo" || kind === "typeinfoName") {
      // `vtable for X::MetaClass` is the vtable of X's metaclass, keyed by X.
      const t = n.child;
      if (kind === "vtable" && t instanceof NestedName && t.name.baseName === "MetaClass") {
        return { kind: "metaClassVtable", className: printNode(t.qual), memberName: undefined, reservedIndex: undefined, isConst: false };
      }
      return { kind, className: printNode(t), memberName: undefined, reservedIndex: undefined, isConst: false };
    }
    const inner = classify(n.child);
    return { ...inner, kind };
  }
  let isFunction = false;
  let isConst = false;
  if (n instanceof FunctionEncoding) {
    isFunction = true;
    isConst = (n.cvQuals & QualConst) !== 0;
    n = n.name;
  }
  const { scope, last } = splitName(n);
  const className = scope !== undefined ? printNode(scope) : undefined;
  const memberName = last.baseName !== "" ? last.baseName : printNode(last);
  let kind: SymbolKind = isFunction ? "function" : "data";
  let reservedIndex: number | undefined;
  const scopeLast = scope !== undefined ? splitName(scope).last.baseName : undefined;
  if (last instanceof CtorDtorName) {
    kind = last.isDtor ? "destructor" : "constructor";
    if (!last.isDtor && memberName === "MetaClass" && scope instanceof NestedName) kind = "metaClassConstructor";
  } else if (!isFunction && memberName === "gMetaClass") kind = "metaClassInstance";
  else if (!isFunction && memberName === "metaClass") kind = "metaClassPointer";
  else if (!isFunction && memberName === "superClass") kind = "superClassPointer";
  else if (isFunction && memberName === "getMetaClass" && isConst) kind = "getMetaClass";
  else if (isFunction && memberName === "alloc" && scopeLast === "MetaClass") kind = "metaClassAlloc";
  else if (isFunction && scopeLast !== undefined && memberName.startsWith(`_RESERVED${scopeLast}`)) {
    const digits = memberName.slice(`_RESERVED${scopeLast}`.length);
    if (/^\d+$/.test(digits)) {
      kind = "reservedSlot";
      reservedIndex = Number(digits);
    }
  }
  // A MetaClass member's class is the class it describes, as libkern's tables key it.
  const owner = (kind === "metaClassConstructor" || kind === "metaClassAlloc") && scope instanceof NestedName ? printNode(scope.qual) : className;
  return { kind, className: owner, memberName, reservedIndex, isConst };
}

/**
 * Describes a mangled symbol (`__ZN8IOService10gMetaClassE` with the default Darwin underscore
 * stripping), or returns undefined when it is not a valid Itanium name.
 */
export function describeSymbol(name: string, options?: DemangleOptions): SymbolInfo | undefined {
  let node: Node;
  try {
    node = parseMangledName(name, { ...options, types: false });
    const demangled = printNode(node, options?.outputLimit);
    return { ...classify(node), demangled, node };
  } catch (e) {
    if (e instanceof DemangleError) return undefined;
    throw e;
  }
}
