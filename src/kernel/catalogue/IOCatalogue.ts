/**
 * IOCatalogue: the kernel's store of driver personalities (spec §1.1).
 *
 * State. Personalities are kept per `IOProviderClass` in insertion order, each wrapped in a
 * {@link CataloguePersonality} that caches what lookup needs (class, score, category, bundle).
 * `generation` starts at 1 and is bumped whenever an add or remove triggers nub matching, which is
 * how `doServiceMatch` notices that it must loop again.
 *
 * Invariants. A personality without a string `IOProviderClass` is never stored. Two stored
 * personalities under one class are never `isEqualTo` each other (exact duplicates are skipped,
 * strict supersets kept). Every stored personality carries `CFBundleIdentifierKernel`. Stored
 * tables are never mutated: matching works on copies.
 *
 * Rematching is the runtime's business: the catalogue asks its {@link IOCatalogueDelegate} for the
 * registered services, passively matches the changed personalities against them, and hands each
 * service that matches back to `startMatching`. Diagnostics for malformed personalities are kept
 * per kext and never stop other personalities from being added.
 */
import { isOSDictionary, osEqual, type OSDictionary, type OSValue } from "../../libkern/index.ts";
import { FamilyRegistry, type BuildArch, type FamilyMatcher } from "./FamilyMatcher.ts";
import { hidFamily } from "./hidMatch.ts";
import {
  kCFBundleIdentifierKernelKey, kCFBundleIdentifierKey, kIOClassKey, kIOProviderClassKey, matchCategoryOf, probeScoreOf,
} from "./keys.ts";
import { matchPassive } from "./matchPassive.ts";
import type { MatchNub } from "./MatchNub.ts";
import { OrderedByScore } from "./OrderedByScore.ts";
import { pciFamily } from "./pciMatch.ts";
import { fireWireFamily, mediaFamily, resourcesFamily, scsiFamily, thunderboltFamily } from "./propertyFamilies.ts";
import { usbDeviceFamily, usbInterfaceFamily } from "./usbMatch.ts";
import { validatePersonality, type PersonalityDiagnostic } from "./validatePersonality.ts";

/** A stored personality and what lookup needs from it. */
export interface CataloguePersonality {
  /** The normalised table. Never mutate it: matching works on copies. */
  readonly table: OSDictionary;
  readonly providerClass: string;
  readonly ioClass: string | undefined;
  readonly bundle: string | undefined;
  /** The personality's key in `IOKitPersonalities`, when known. */
  readonly name: string | undefined;
  /** `IOProbeScore` as ordering reads it. */
  readonly score: number;
  readonly category: string;
  /** Where it came from (a kext path, a dump file), for explanations. */
  readonly origin: string | undefined;
  /** Insertion sequence number, unique per catalogue. */
  readonly seq: number;
}

/** What the catalogue needs from the runtime to rematch after adds and removes. */
export interface IOCatalogueDelegate {
  /** Every service in the registered state. */
  registeredServices(): Iterable<MatchNub>;
  /** `startMatching(kIOServiceAsynchronous)` on a service. */
  startMatching(nub: MatchNub): void;
}

export interface IOCatalogueOptions {
  /** The kernel's build architecture (default x86_64). */
  readonly arch?: BuildArch;
  /** Family matchers; default {@link defaultFamilies}. */
  readonly families?: FamilyRegistry;
  readonly delegate?: IOCatalogueDelegate;
  /**
   * Validate personalities as they are added (default true). A catalogue rebuilt from a registry
   * dump skips it: the real kernel already accepted those personalities.
   */
  readonly validate?: boolean;
}

/** A personality to add, with the names explanations use. */
export interface PersonalityInput {
  readonly table: OSValue;
  readonly name?: string;
  /** The kext's `CFBundleIdentifier` when the table lacks one. */
  readonly bundle?: string;
  readonly origin?: string;
}

export interface AddDriversResult {
  /** Personalities stored by this call (duplicates and dropped ones excluded). */
  readonly added: readonly CataloguePersonality[];
  /** Problems found, per kext and key. */
  readonly diagnostics: readonly PersonalityDiagnostic[];
  /** Set when the whole add was refused (a non-dictionary element), with the kernel's log line. */
  readonly aborted?: string;
  /** Services handed to `startMatching`. */
  readonly rematched: number;
}

/** The family matchers every catalogue starts with. */
export function defaultFamilies(extra: Iterable<FamilyMatcher> = []): FamilyRegistry {
  return new FamilyRegistry([resourcesFamily, pciFamily, usbDeviceFamily, usbInterfaceFamily, hidFamily, mediaFamily, scsiFamily, fireWireFamily, thunderboltFamily, ...extra]);
}

export class IOCatalogue {
  readonly arch: BuildArch;
  readonly families: FamilyRegistry;
  delegate: IOCatalogueDelegate | undefined;
  readonly validate: boolean;
  /** Bumped on every add/remove that triggered nub matching; starts at 1. */
  generation = 1;
  readonly #byClass = new Map<string, CataloguePersonality[]>();
  readonly #diagnostics = new Map<string, PersonalityDiagnostic[]>();
  #seq = 0;

  constructor(options: IOCatalogueOptions = {}) {
    this.arch = options.arch ?? "x86_64";
    this.families = options.families ?? defaultFamilies();
    this.delegate = options.delegate;
    this.validate = options.validate ?? true;
  }

  /**
   * `addDrivers(array, doNubMatching)`: validates and stores each personality. A non-dictionary
   * element refuses the whole add, as the kernel does.
   */
  addDrivers(personalities: readonly (OSValue | PersonalityInput)[], doNubMatching = true): AddDriversResult {
    const inputs = personalities.map((p) => (isInput(p) ? p : { table: p }));
    if (inputs.some((i) => !isOSDictionary(i.table))) {
      return { added: [], diagnostics: [], aborted: "IOCatalogue::addDrivers() encountered non-dictionary; bailing.", rematched: 0 };
    }
    const added: CataloguePersonality[] = [];
    const diagnostics: PersonalityDiagnostic[] = [];
    for (const input of inputs) {
      const r = this.#addOne(input);
      diagnostics.push(...r.diagnostics);
      if (r.added) added.push(r.added);
    }
    const rematched = doNubMatching && added.length > 0 ? this.#rematch(added) : 0;
    return { added, diagnostics, rematched };
  }

  #addOne(input: PersonalityInput): { added?: CataloguePersonality; diagnostics: PersonalityDiagnostic[] } {
    const src = input.table as OSDictionary;
    const tableBundle = src.get(kCFBundleIdentifierKey);
    const bundle = input.bundle ?? (typeof tableBundle === "string" ? tableBundle : undefined);
    const ctx: { bundle?: string; personality?: string } = {};
    if (bundle !== undefined) ctx.bundle = bundle;
    if (input.name !== undefined) ctx.personality = input.name;
    const diagnostics = this.validate ? validatePersonality(src, ctx) : [];
    if (diagnostics.length > 0) {
      const list = this.#diagnostics.get(bundle ?? "") ?? [];
      list.push(...diagnostics);
      this.#diagnostics.set(bundle ?? "", list);
    }
    const providerClass = src.get(kIOProviderClassKey);
    if (typeof providerClass !== "string") return { diagnostics };
    // OSKext::uniquePersonalityProperties: every catalogue personality carries CFBundleIdentifierKernel.
    const table: OSDictionary = new Map(src);
    if (!table.has(kCFBundleIdentifierKernelKey) && typeof tableBundle === "string") table.set(kCFBundleIdentifierKernelKey, tableBundle);
    const list = this.#byClass.get(providerClass) ?? [];
    if (list.some((p) => osEqual(p.table, table))) return { diagnostics };
    const ioClass = table.get(kIOClassKey);
    const p: CataloguePersonality = {
      table, providerClass, ioClass: typeof ioClass === "string" ? ioClass : undefined, bundle, name: input.name,
      score: probeScoreOf(table), category: matchCategoryOf(table), origin: input.origin, seq: this.#seq++,
    };
    list.push(p);
    this.#byClass.set(providerClass, list);
    return { added: p, diagnostics };
  }

  /**
   * `removeDrivers(matching, doNubMatching)`: removes every personality that has all of
   * `matching`'s keys with equal values. Returns the removed personalities.
   */
  removeDrivers(matching: OSDictionary, doNubMatching = true): CataloguePersonality[] {
    const removed: CataloguePersonality[] = [];
    for (const [cls, list] of this.#byClass) {
      const keep = list.filter((p) => {
        for (const [k, v] of matching) {
          const have = p.table.get(k);
          if (have === undefined || !osEqual(have, v)) return true;
        }
        removed.push(p);
        return false;
      });
      if (keep.length === 0) this.#byClass.delete(cls);
      else this.#byClass.set(cls, keep);
    }
    if (doNubMatching && removed.length > 0) this.#rematch(removed);
    return removed;
  }

  /** Every service that passively matches one of `changed` gets `startMatching`; bumps `generation`. */
  #rematch(changed: readonly CataloguePersonality[]): number {
    this.generation++;
    const d = this.delegate;
    if (d === undefined) return 0;
    let n = 0;
    for (const nub of d.registeredServices()) {
      const hit = changed.some((p) => nub.conformsTo(p.providerClass)
        && matchPassive(new Map(p.table), nub, { arch: this.arch, families: this.families, classDone: true }).matched);
      if (hit) { d.startMatching(nub); n++; }
    }
    return n;
  }

  /**
   * `findDrivers(nub)`: personalities for the nub's class chain (most-derived first, up to
   * IOService), ordered by descending `IOProbeScore`, FIFO among equals.
   */
  findDrivers(nub: MatchNub): CataloguePersonality[] {
    const set = new OrderedByScore<CataloguePersonality>();
    for (const cls of nub.classChain()) {
      for (const p of this.#byClass.get(cls) ?? []) set.insert(p, p.score);
    }
    return set.items();
  }

  /** Every stored personality, grouped by provider class in first-insertion order. */
  *personalities(): IterableIterator<CataloguePersonality> {
    for (const list of this.#byClass.values()) yield* list;
  }

  /** The personalities a kext contributed. */
  personalitiesOf(bundle: string): CataloguePersonality[] {
    return [...this.personalities()].filter((p) => p.bundle === bundle);
  }

  /** The kexts (CFBundleIdentifier) with personalities in the catalogue. */
  bundles(): string[] {
    return [...new Set([...this.personalities()].map((p) => p.bundle).filter((b): b is string => b !== undefined))];
  }

  /** Diagnostics recorded for a kext, or for all kexts. */
  diagnostics(bundle?: string): PersonalityDiagnostic[] {
    if (bundle !== undefined) return [...(this.#diagnostics.get(bundle) ?? [])];
    return [...this.#diagnostics.values()].flat();
  }

  get size(): number {
    let n = 0;
    for (const l of this.#byClass.values()) n += l.length;
    return n;
  }
}

function isInput(v: OSValue | PersonalityInput): v is PersonalityInput {
  return typeof v === "object" && v !== null && !(v instanceof Map) && !Array.isArray(v) && !(v instanceof Set) && !(v instanceof Uint8Array) && "table" in v;
}
