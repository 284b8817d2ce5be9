/**
 * Passive matching: `IOService::matchInternal` (the generic keys) and `matchPassive` (family
 * matching, `IOParentMatch`, `IOLocationMatch` as a dict).
 *
 * Mechanism. The generic keys are tested in xnu's fixed order and counted as they are handled
 * (`done`); the first failure stops the test. When every key of the table was handled, the
 * family's `matchPropertyTable` is *not* called (spec §13.4: a user-space `IOServiceMatching("X")`
 * never reaches family matching). Otherwise the family matcher runs with the score starting at the
 * table's `IOProbeScore`; with `changesOK` (catalogue matching works on a copy) the updated score
 * and the matched name are written back into the table as `IOProbeScore` and `IONameMatched`.
 * `IOParentMatch` then walks the provider chain upward (first provider only) until an ancestor
 * matches the nested table, family matching included; `IOLocationMatch` as a dict recurses into
 * the provider.
 *
 * Nested tables are matched with an explicit loop over the provider chain, and nesting depth is
 * bounded by {@link MAX_NESTING}, so a hostile personality cannot blow the stack.
 */
import { OSNumber, isOSArray, isOSDictionary, isOSSet, type OSDictionary, type OSValue } from "../../libkern/index.ts";
import { isEqualTo } from "./isEqualTo.ts";
import { compareNames, namesTried } from "./compareNames.ts";
import type { BuildArch, FamilyRegistry } from "./FamilyMatcher.ts";
import { fail, LazyFailure, type MatchFailure } from "./MatchFailure.ts";
import type { MatchNub } from "./MatchNub.ts";
import {
  kIOBSDKeys, kIOLocationMatchKey, kIOMatchCategoryKey, kIOMatchedServiceCountKey, kIONameMatchKey,
  kIONameMatchedKey, kIOParentMatchKey, kIOPathMatchKey, kIOProbeScoreKey, kIOPropertyExistsMatchKey,
  kIOPropertyMatchKey, kIOProviderClassKey, kIORegistryEntryIDKey, kIOServiceNotificationUserKey, probeScoreOf,
} from "./keys.ts";

/** How deep `IOParentMatch` / `IOLocationMatch` dictionaries may nest. */
export const MAX_NESTING = 32;

export interface PassiveOptions {
  /** Catalogue matching: write `IONameMatched` and the family score into the table. */
  readonly changesOK?: boolean;
  /** The caller already filtered by `IOProviderClass` (catalogue lookup does). */
  readonly classDone?: boolean;
  /** The table's `IOProbeScore` as ordering reads it, when the caller has it already. */
  readonly score?: number;
  readonly arch: BuildArch;
  readonly families: FamilyRegistry;
}

export interface PassiveResult {
  readonly matched: boolean;
  /** The score after family matching (the table's `IOProbeScore` when the family did not run). */
  readonly score: number;
  /** The first failure, when not matched. */
  readonly failure?: MatchFailure | undefined;
  /** The family matcher that ran, if any. */
  readonly family?: string | undefined;
  /** What the family said about the score (e.g. "USB rule 90000"). */
  readonly familyDetail?: string | undefined;
  /** The name `IONameMatch` matched (written to the table as `IONameMatched` with `changesOK`). */
  readonly nameMatched?: string | undefined;
}

interface InternalResult {
  readonly failure: MatchFailure | undefined;
  readonly done: number;
  readonly nameMatched: string | undefined;
}

class InternalResultImpl implements InternalResult {
  readonly failure: MatchFailure | undefined;
  readonly done: number;
  readonly nameMatched: string | undefined;
  constructor(failure: MatchFailure | undefined, done: number, nameMatched: string | undefined) {
    this.failure = failure;
    this.done = done;
    this.nameMatched = nameMatched;
  }
}

function isCollection(v: OSValue): v is OSValue[] | Set<OSValue> {
  return isOSArray(v) || isOSSet(v);
}

/** True when every key of `want` is in the nub's properties with an equal value. */
function propertiesInclude(nub: MatchNub, want: OSDictionary): boolean {
  for (const [k, v] of want) {
    const have = nub.property(k);
    if (have === undefined || !isEqualTo(have, v)) return false;
  }
  return true;
}

/** `matchInternal`: the generic keys, in xnu's order. */
export function matchInternal(table: OSDictionary, nub: MatchNub, classDone: boolean): InternalResult {
  let done = 0;
  let nameMatched: string | undefined;

  if (table.has(kIOServiceNotificationUserKey)) {
    done++;
    if (nub.userHidden === true) return new InternalResultImpl(fail(kIOServiceNotificationUserKey, table.get(kIOServiceNotificationUserKey), undefined, "service is hidden from user space"), done, nameMatched);
  }
  const cls = table.get(kIOProviderClassKey);
  if (typeof cls === "string") {
    done++;
    if (!classDone && !nub.conformsTo(cls)) return new InternalResultImpl(fail(kIOProviderClassKey, cls, nub.className, `${nub.className} is not known to be a ${cls}`), done, nameMatched);
  }
  const names = table.get(kIONameMatchKey);
  if (names !== undefined) {
    done++;
    nameMatched = compareNames(nub, names);
    if (nameMatched === undefined) {
      // The names tried are worked out only if an explanation asks for them.
      return new InternalResultImpl(new LazyFailure(kIONameMatchKey, names, () => { const t = namesTried(nub); return t.length === 1 ? t[0] : [...t]; }), done, nameMatched);
    }
  }
  const loc = table.get(kIOLocationMatchKey);
  if (typeof loc === "string") {
    done++;
    if (nub.location !== loc) return new InternalResultImpl(fail(kIOLocationMatchKey, loc, nub.location), done, nameMatched);
  }
  const pm = table.get(kIOPropertyMatchKey);
  if (pm !== undefined) {
    done++;
    let ok = false;
    if (isOSDictionary(pm)) ok = propertiesInclude(nub, pm);
    else if (isCollection(pm)) for (const d of pm) if (isOSDictionary(d) && propertiesInclude(nub, d)) { ok = true; break; }
    if (!ok) return new InternalResultImpl(new LazyFailure(kIOPropertyMatchKey, pm, () => firstDifference(nub, pm)), done, nameMatched);
  }
  const pe = table.get(kIOPropertyExistsMatchKey);
  if (pe !== undefined) {
    done++;
    let ok = false;
    if (typeof pe === "string") ok = nub.property(pe) !== undefined;
    else if (isCollection(pe)) for (const k of pe) if (typeof k === "string" && nub.property(k) !== undefined) { ok = true; break; }
    if (!ok) return new InternalResultImpl(fail(kIOPropertyExistsMatchKey, pe, undefined, "none of the named properties exists on the nub"), done, nameMatched);
  }
  const path = table.get(kIOPathMatchKey);
  if (typeof path === "string") {
    done++;
    const own = nub.property("IOPath");
    if (!(path === nub.path || (typeof own === "string" && own === path))) return new InternalResultImpl(fail(kIOPathMatchKey, path, nub.path), done, nameMatched);
  }
  const id = table.get(kIORegistryEntryIDKey);
  if (id instanceof OSNumber) {
    done++;
    if (nub.registryEntryID === undefined || BigInt.asUintN(64, id.value) !== nub.registryEntryID) {
      return new InternalResultImpl(fail(kIORegistryEntryIDKey, id, nub.registryEntryID === undefined ? undefined : new OSNumber(nub.registryEntryID)), done, nameMatched);
    }
  }
  const count = table.get(kIOMatchedServiceCountKey);
  if (count instanceof OSNumber) {
    done++;
    const n = nub.clients().filter((c) => c.holdsCategory && c.matchCategory !== undefined).length;
    if (BigInt(n) !== count.value) return new InternalResultImpl(fail(kIOMatchedServiceCountKey, count, new OSNumber(n)), done, nameMatched);
  }
  for (const key of kIOBSDKeys) {
    const want = table.get(key);
    if (want === undefined) continue;
    done++;
    const have = nub.property(key);
    if (have === undefined || !isEqualTo(have, want)) return new InternalResultImpl(fail(key, want, have), done, nameMatched);
  }
  return new InternalResultImpl(undefined, done, nameMatched);
}

/** For an explanation: the nub's values for the keys of the (first) property-match dict. */
function firstDifference(nub: MatchNub, pm: OSValue): OSValue | undefined {
  const d = isOSDictionary(pm) ? pm : isCollection(pm) ? [...pm].find(isOSDictionary) : undefined;
  if (d === undefined) return undefined;
  const out: OSDictionary = new Map();
  for (const k of d.keys()) {
    const v = nub.property(k);
    if (v !== undefined) out.set(k, v);
  }
  return out;
}

/**
 * `matchPassive(table, options)` against `nub`. With `changesOK` the table is modified (pass a copy).
 */
export function matchPassive(table: OSDictionary, nub: MatchNub, options: PassiveOptions): PassiveResult {
  return matchNested(table, nub, options, 0, "");
}

function matchNested(table: OSDictionary, nub: MatchNub, options: PassiveOptions, depth: number, prefix: string): PassiveResult {
  if (depth > MAX_NESTING) {
    return { matched: false, score: 0, failure: fail(prefix + kIOParentMatchKey, undefined, undefined, `matching dictionaries nest deeper than ${MAX_NESTING}`) };
  }
  const score0 = depth === 0 && options.score !== undefined ? options.score : probeScoreOf(table);
  const internal = matchInternal(table, nub, options.classDone === true && depth === 0);
  if (internal.failure !== undefined) return { matched: false, score: score0, failure: prefixed(internal.failure, prefix) };
  if (options.changesOK && internal.nameMatched !== undefined) table.set(kIONameMatchedKey, internal.nameMatched);
  const nameMatched = depth === 0 ? internal.nameMatched : undefined;
  if (internal.done === table.size) return { matched: true, score: score0, nameMatched };

  let score = score0;
  let family: string | undefined;
  let familyDetail: string | undefined;
  const matcher = options.families.matcherFor(nub);
  if (matcher !== undefined) {
    const fr = matcher.matchPropertyTable(table, nub, score0, { arch: options.arch });
    family = matcher.name;
    if (!fr.ok) return { matched: false, score: score0, failure: prefixed(fr.failure, prefix), family };
    score = fr.score;
    familyDetail = fr.detail;
    if (options.changesOK && score !== score0) table.set(kIOProbeScoreKey, new OSNumber(BigInt.asUintN(32, BigInt(score)), 32));
  }

  const parent = table.get(kIOParentMatchKey);
  if (isOSDictionary(parent)) {
    let where = nub.provider;
    let found = false;
    let last: MatchFailure | undefined;
    while (where !== undefined) {
      const pr = matchNested(parent, where, { ...options, changesOK: false, score: undefined }, depth + 1, `${prefix}${kIOParentMatchKey}.`);
      if (pr.matched) { found = true; break; }
      last = pr.failure;
      where = where.provider;
    }
    if (!found) {
      return { matched: false, score, failure: fail(`${prefix}${kIOParentMatchKey}`, parent, undefined, `no ancestor matches${last ? ` (nearest failure: ${last.key})` : ""}`), family, familyDetail };
    }
  }
  const loc = table.get(kIOLocationMatchKey);
  if (isOSDictionary(loc)) {
    const where = nub.provider;
    const lr = where === undefined
      ? { matched: false, failure: fail(`${prefix}${kIOLocationMatchKey}`, loc, undefined, "the nub has no provider") }
      : matchNested(loc, where, { ...options, changesOK: false, score: undefined }, depth + 1, `${prefix}${kIOLocationMatchKey}.`);
    if (!lr.matched) return { matched: false, score, failure: lr.failure, family, familyDetail };
  }
  return { matched: true, score, family, familyDetail, nameMatched };
}

function prefixed(f: MatchFailure, prefix: string): MatchFailure {
  return prefix === "" ? f : { ...f, key: prefix + f.key };
}

/** The keys `matchInternal` handles (for lints and explanations). */
export const GENERIC_MATCH_KEYS: ReadonlySet<string> = new Set([
  kIOServiceNotificationUserKey, kIOProviderClassKey, kIONameMatchKey, kIOLocationMatchKey, kIOPropertyMatchKey,
  kIOPropertyExistsMatchKey, kIOPathMatchKey, kIORegistryEntryIDKey, kIOMatchedServiceCountKey, ...kIOBSDKeys,
  kIOParentMatchKey, kIOMatchCategoryKey,
]);
