/**
 * Entry points: {@link parseMangledName} (parse tree, throws), {@link tryParseMangledName},
 * {@link demangle} (text or undefined) and {@link cxxfilt} (text, or the input unchanged), with the
 * same acceptance rules as `llvm-cxxfilt` 16.
 *
 * Darwin symbols carry an extra leading underscore (`__ZN8IOService10gMetaClassE`); with
 * `stripUnderscore` (the default, as `llvm-cxxfilt -_` and Apple's c++filt) one `_` is removed
 * before demangling. Then a name is demangled only when it starts with `_Z` or `___Z` (a block
 * invocation), unless `types` is set, in which case any string that parses as a whole `<type>`
 * (`i` → `int`) is demangled too.
 */
import { DEFAULT_OUTPUT_LIMIT, DemangleError, OutputBuffer, type Node } from "./Node.ts";
import { ManglingParser } from "./ManglingParser.ts";

export interface DemangleOptions {
  /** Remove one leading `_` first (Mach-O symbols). Default true. */
  stripUnderscore?: boolean;
  /** Also demangle bare types (`-t`). Default false. */
  types?: boolean;
  /** Print function parameters (false is `-p`: the name only). Default true. */
  params?: boolean;
  /** Bound on the demangled text; longer results throw {@link DemangleError}. */
  outputLimit?: number;
}

/**
 * Whether `s` (after underscore stripping) has the `_Z`/`___Z` shape llvm-cxxfilt demangles.
 * Divergence from XNU: llvm-cxxfilt 16 also tries Rust (`_R`) and D (`_D`) demangling; we do not.
 */
function isItaniumEncoding(s: string, from: number): boolean {
  const c0 = s.charCodeAt(from);
  const c1 = s.charCodeAt(from + 1);
  if (c0 === 0x5f && c1 === 0x5a) return true;
  return c0 === 0x5f && c1 === 0x5f && s.charCodeAt(from + 2) === 0x5f && s.charCodeAt(from + 3) === 0x5a;
}

function start(name: string, o: DemangleOptions | undefined): number {
  return (o?.stripUnderscore ?? true) && name.charCodeAt(0) === 0x5f ? 1 : 0;
}

/**
 * Parses a mangled name into its tree. Throws {@link DemangleError} when `name` is not a mangled
 * name or is malformed.
 */
export function parseMangledName(name: string, options?: DemangleOptions): Node {
  const from = start(name, options);
  const types = options?.types ?? false;
  if (!types && !isItaniumEncoding(name, from)) throw new DemangleError("not an Itanium mangled name", 0);
  return new ManglingParser(name, from).parse(types, options?.params ?? true);
}

/** {@link parseMangledName} as a result instead of an exception. */
export function tryParseMangledName(name: string, options?: DemangleOptions): { ok: true; node: Node } | { ok: false; error: DemangleError } {
  try {
    return { ok: true, node: parseMangledName(name, options) };
  } catch (e) {
    if (e instanceof DemangleError) return { ok: false, error: e };
    throw e;
  }
}

/** Prints a parse tree as llvm-cxxfilt does. */
export function printNode(node: Node, outputLimit = DEFAULT_OUTPUT_LIMIT): string {
  const o = new OutputBuffer(outputLimit);
  node.print(o);
  return o.text;
}

/** The demangled text, or undefined when `name` is not a (valid) mangled name. Never throws. */
export function demangle(name: string, options?: DemangleOptions): string | undefined {
  const from = start(name, options);
  const types = options?.types ?? false;
  if (!types && !isItaniumEncoding(name, from)) return undefined;
  try {
    const node = new ManglingParser(name, from).parse(types, options?.params ?? true);
    return printNode(node, options?.outputLimit);
  } catch (e) {
    if (e instanceof DemangleError) return undefined;
    throw e;
  }
}

/** What `llvm-cxxfilt` prints for one word: the demangled text or the word itself. */
export function cxxfilt(name: string, options?: DemangleOptions): string {
  return demangle(name, options) ?? name;
}
