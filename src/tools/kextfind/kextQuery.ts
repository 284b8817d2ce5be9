/**
 * kextfind's query language (`kextfind_query.h`, `QEQuery.c`): predicates combined with `-and`
 * (implicit), `-or`, `-not`/`!` and parentheses, plus commands that print and evaluate to true.
 * Parsed by recursive descent with a nesting limit, into a tree evaluated per kext.
 */
import { OSKextIsCompatibleWithVersion, OSKextParseVersionString, isOSDictionary, kindOf, type OSKextVersion, type OSValue } from "../../libkern/index.ts";
import { baseName, type OSKext } from "../../kext/index.ts";

/** A query node. */
export type QueryNode =
  | { readonly op: "and" | "or"; readonly left: QueryNode; readonly right: QueryNode }
  | { readonly op: "not"; readonly operand: QueryNode }
  | { readonly op: "pred"; readonly name: string; readonly args: readonly string[] };

/** What a predicate may ask about a kext; the tool computes these lazily. */
export interface KextFacts {
  valid(k: OSKext): boolean;
  authentic(k: OSKext): boolean;
  dependenciesMet(k: OSKext): boolean;
  loadable(k: OSKext): boolean;
  warnings(k: OSKext): boolean;
  debug(k: OSKext): boolean;
  duplicateID(k: OSKext): boolean;
  archs(k: OSKext): readonly string[];
}

export interface MatchOptions {
  readonly caseInsensitive: boolean;
  readonly substring: boolean;
}

/** Predicates and the number of arguments each takes. */
export const PREDICATES: ReadonlyMap<string, number> = new Map([
  ["-property", 2], ["-property-exists", 1], ["-match-property", 2], ["-match-property-exists", 1],
  ["-valid", 0], ["-invalid", 0], ["-authentic", 0], ["-inauthentic", 0], ["-dependencies-met", 0],
  ["-dependencies-missing", 0], ["-loadable", 0], ["-nonloadable", 0], ["-warnings", 0], ["-library", 0],
  ["-has-plugins", 0], ["-plugin", 0], ["-debug", 0], ["-kernel-resource", 0], ["-duplicate-id", 0],
  ["-compatible-with-version", 1], ["-version", 1], ["-arch", 1], ["-arch-exact", 1], ["-executable", 0],
  ["-no-executable", 0], ["-bundle-id", 1], ["-bundle-name", 1], ["-root", 0], ["-console", 0],
  ["-local-root", 0], ["-network-root", 0], ["-safe-boot", 0], ["-integrity", 0],
]);

/** Commands (always true) and their argument counts. `-exec` is not supported. */
export const COMMANDS: ReadonlyMap<string, number> = new Map([
  ["-print", 0], ["-print0", 0], ["-echo", 1], ["-print-diagnostics", 0], ["-print-property", 1],
  ["-print-match-property", 1], ["-print-arches", 0], ["-print-dependencies", 0], ["-print-dependents", 0],
  ["-print-plugins", 0], ["-print-executable", 0],
]);

/** A malformed query; the message names the offending token. */
export class KextQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KextQueryError";
  }
}

const MAX_DEPTH = 200;

/** Parses query tokens; returns undefined for an empty query (match everything). */
export function parseKextQuery(tokens: readonly string[]): { query: QueryNode | undefined; hasCommand: boolean } {
  let i = 0;
  let hasCommand = false;
  const peek = (): string | undefined => tokens[i];
  const orExpr = (depth: number): QueryNode => {
    let left = andExpr(depth);
    while (peek() === "-or" || peek() === "-o") {
      i++;
      left = { op: "or", left, right: andExpr(depth) };
    }
    return left;
  };
  const andExpr = (depth: number): QueryNode => {
    let left = unary(depth);
    for (;;) {
      const t = peek();
      if (t === undefined || t === ")" || t === "-or" || t === "-o") return left;
      if (t === "-and" || t === "-a") i++;
      left = { op: "and", left, right: unary(depth) };
    }
  };
  const unary = (depth: number): QueryNode => {
    if (depth > MAX_DEPTH) throw new KextQueryError("query nested too deeply");
    const t = peek();
    if (t === undefined) throw new KextQueryError("query ends where a predicate was expected");
    if (t === "-not" || t === "!") {
      i++;
      return { op: "not", operand: unary(depth + 1) };
    }
    if (t === "(") {
      i++;
      const inner = orExpr(depth + 1);
      if (peek() !== ")") throw new KextQueryError("missing ')' in query");
      i++;
      return inner;
    }
    const n = PREDICATES.get(t) ?? COMMANDS.get(t);
    if (n === undefined) throw new KextQueryError(`unknown predicate or command ${t}`);
    if (COMMANDS.has(t)) hasCommand = true;
    if (n > 0 && i + n >= tokens.length) {
      throw new KextQueryError(`${t} requires ${n} argument${n > 1 ? "s" : ""}`);
    }
    const args = tokens.slice(i + 1, i + 1 + n);
    i += 1 + n;
    return { op: "pred", name: t, args };
  };
  if (tokens.length === 0) return { query: undefined, hasCommand: false };
  const query = orExpr(0);
  if (i < tokens.length) throw new KextQueryError(`unexpected ${tokens[i] as string} in query`);
  return { query, hasCommand };
}

/** Compares a property value with a query string (`-property`, `-match-property`). */
export function valueMatches(value: OSValue, wanted: string, o: MatchOptions): boolean {
  if (typeof value === "string") return stringMatches(value, wanted, o);
  if (typeof value === "boolean") return wanted === String(value);
  const kind = kindOf(value);
  if (kind === "integer") return /^-?\d+$/.test(wanted) && BigInt(wanted) === (value as { value: bigint }).value;
  if (kind === "array") return (value as OSValue[]).some((v) => valueMatches(v, wanted, o));
  return false;
}

export function stringMatches(value: string, wanted: string, o: MatchOptions): boolean {
  const a = o.caseInsensitive ? value.toLowerCase() : value;
  const b = o.caseInsensitive ? wanted.toLowerCase() : wanted;
  return o.substring ? a.includes(b) : a === b;
}

/** `-version EXPR` with kextfind's quirks: `lt` leaves the operator at equality; a leading `e` is dropped. */
export function versionMatches(version: OSKextVersion, expr: string): boolean {
  let op: "eq" | "ne" | "gt" | "ge" | "le" = "eq";
  let text = expr;
  if (text.startsWith("ne")) { op = "ne"; text = text.slice(2); }
  else if (text.startsWith("gt")) { op = "gt"; text = text.slice(2); }
  else if (text.startsWith("ge")) { op = "ge"; text = text.slice(2); }
  else if (text.startsWith("lt")) { text = text.slice(2); }
  else if (text.startsWith("le")) { op = "le"; text = text.slice(2); }
  else if (text.startsWith("e")) { text = text.slice(1); }
  const dash = text.indexOf("-");
  if (dash > 0) {
    const lo = OSKextParseVersionString(text.slice(0, dash));
    const hi = OSKextParseVersionString(text.slice(dash + 1));
    return lo > 0n && hi > 0n && version >= lo && version <= hi;
  }
  const v = OSKextParseVersionString(text);
  if (v < 0n) return false;
  switch (op) {
    case "ne": return version !== v;
    case "gt": return version > v;
    case "ge": return version >= v;
    case "le": return version <= v;
    default: return version === v;
  }
}

/** Evaluates a predicate (commands are handled by the caller and count as true). */
export function evaluatePredicate(name: string, args: readonly string[], k: OSKext, facts: KextFacts, o: MatchOptions): boolean {
  const info = k.info;
  const a0 = args[0] as string;
  const personalities = (): Map<string, OSValue>[] => [...k.personalities().values()].filter(isOSDictionary);
  switch (name) {
    case "-property": { const v = info?.get(a0); return v !== undefined && valueMatches(v, args[1] as string, o); }
    case "-property-exists": return info?.has(a0) ?? false;
    case "-match-property": return personalities().some((p) => { const v = p.get(a0); return v !== undefined && valueMatches(v, args[1] as string, o); });
    case "-match-property-exists": return personalities().some((p) => p.has(a0));
    case "-valid": return facts.valid(k);
    case "-invalid": return !facts.valid(k);
    case "-authentic": return facts.authentic(k);
    case "-inauthentic": return !facts.authentic(k);
    case "-dependencies-met": return facts.dependenciesMet(k);
    case "-dependencies-missing": return !facts.dependenciesMet(k);
    case "-loadable": return facts.loadable(k);
    case "-nonloadable": return !facts.loadable(k);
    case "-warnings": return facts.warnings(k);
    case "-library": return k.isLibrary;
    case "-has-plugins": return k.plugins.length > 0;
    case "-plugin": return k.parentPath !== undefined;
    case "-debug": return facts.debug(k);
    case "-kernel-resource": return k.isKernelComponent;
    case "-duplicate-id": return facts.duplicateID(k);
    case "-compatible-with-version": { const v = OSKextParseVersionString(a0); return v > 0n && OSKextIsCompatibleWithVersion(k.version, k.compatibleVersion, v); }
    case "-version": return k.version > 0n && versionMatches(k.version, a0);
    case "-arch": return a0.split(",").every((a) => facts.archs(k).includes(a));
    case "-arch-exact": { const want = a0.split(",").sort(); const have = [...facts.archs(k)].sort(); return want.length === have.length && want.every((a, i) => a === have[i]); }
    case "-executable": return k.declaresExecutable;
    case "-no-executable": return !k.declaresExecutable;
    case "-bundle-id": return k.bundleID !== undefined && stringMatches(k.bundleID, a0, o);
    case "-bundle-name": return stringMatches(baseName(k.path), a0, o);
    case "-root": return k.bundleRequired === "Root";
    case "-console": return k.bundleRequired === "Console";
    case "-local-root": return k.bundleRequired === "Local-Root";
    case "-network-root": return k.bundleRequired === "Network-Root";
    case "-safe-boot": return k.bundleRequired === "Safe Boot";
    default: return false; // -integrity is obsolete and never matches.
  }
}
