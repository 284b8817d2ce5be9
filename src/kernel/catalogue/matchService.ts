/**
 * One matching pass for one nub: xnu's `probeCandidates` (pass 1: category exclusion and passive
 * matching on copies; pass 2: probe; then start per category), spec §1.6, as a pure function with
 * hooks.
 *
 * Every personality considered leaves a {@link CandidateDecision}: the first failing key, scores
 * before matching, after family matching and after probe, its category and what became of it. That
 * record is the engine's single output: the runtime acts on the winners, `iokit match explain`
 * prints the decisions, and the replay compares the winners with a real machine's registry.
 *
 * Hooks stand in for the driver code the runtime owns. Without a `probe` hook the probe succeeds
 * with the family score (replay of a dump: no driver code runs); without a `start` hook `start()`
 * succeeds. Category exclusion is checked against the clients attached *before* the pass (spec
 * §13.3), never within the batch; each category then gets the first candidate, in descending score
 * order, whose `start` succeeds. Later candidates of that category are probed but never started.
 */
import { OSNumber, type OSDictionary } from "../../libkern/index.ts";
import type { CataloguePersonality, IOCatalogue } from "./IOCatalogue.ts";
import { kIOMatchCategoryKey, kIONameMatchedKey, kIOProbeScoreKey, kIOResourceMatchKey, kIOUserServerNameKey } from "./keys.ts";
import type { MatchFailure } from "./MatchFailure.ts";
import type { MatchNub } from "./MatchNub.ts";
import { matchPassive } from "./matchPassive.ts";
import { OrderedByScore } from "./OrderedByScore.ts";
import { namesOf } from "./propertyFamilies.ts";

/** What became of one candidate personality. */
export type CandidateOutcome =
  | "no-match"            // passive matching failed (see `failure`)
  | "category-taken"      // a client already holds the category: skipped before matching
  | "probe-failed"        // probe() returned NULL
  | "started"             // won its category: start() succeeded
  | "start-failed"        // start() failed; the next candidate of the category was tried
  | "lost"                // probed but never started: a higher-scored candidate won the category
  | "waiting-resource"    // start blocks until an IOResourceMatch resource is published
  | "skipped"             // the admit hook refused it in pass 1 (e.g. a dext with DriverKit off)
  | "stalled";            // its kext load was deferred: pass 1 stopped here (module-stalled)

export interface CandidateDecision {
  readonly personality: CataloguePersonality;
  readonly category: string;
  /** `IOProbeScore` of the personality. */
  readonly scoreBefore: number;
  /** After family matching (`matchPropertyTable`); undefined if passive matching never ran. */
  readonly scoreAfterMatch: number | undefined;
  /** After `probe()`; undefined if probe never ran. */
  scoreAfterProbe: number | undefined;
  outcome: CandidateOutcome;
  readonly failure?: MatchFailure | undefined;
  readonly family?: string | undefined;
  readonly familyDetail?: string | undefined;
  /** The personality copy the driver would be initialised with (IONameMatched, IOProbeScore set). */
  readonly table: OSDictionary | undefined;
  /** For `lost`: the winner of the category; for `category-taken`: the client holding it. */
  note?: string;
  /** Whatever the probe hook returned as the driver instance. */
  instance?: unknown;
}

export interface MatchHooks {
  /**
   * Pass 1, after passive matching: `"ok"` to keep the candidate, `"skip"` to drop it (dext rules,
   * the rematch filter), `"stall"` when its kext's load was deferred to user space: pass 1 stops
   * there, as xnu's does, and the nub is module-stalled. Absent: every candidate is kept.
   */
  admit?(candidate: CandidateDecision, nub: MatchNub): "ok" | "skip" | "stall";
  /**
   * `probe(nub, &score)`: returns the (possibly new) instance and score, or undefined when probe
   * fails. Absent: probe succeeds with the score unchanged.
   */
  probe?(candidate: CandidateDecision, nub: MatchNub, score: number): { instance?: unknown; score: number } | undefined;
  /** `start(nub)`: absent means success. */
  start?(candidate: CandidateDecision, nub: MatchNub): boolean;
  /** Whether a resource is published; absent: look it up on `nub.resources()`, or assume yes. */
  resourcePublished?(name: string): boolean;
}

export interface MatchRun {
  readonly nub: MatchNub;
  /** Every personality considered, in catalogue (candidate) order. */
  readonly candidates: readonly CandidateDecision[];
  /** The winner of each category, in the order categories were first started. */
  readonly winners: ReadonlyMap<string, CandidateDecision>;
  /** The candidate whose deferred kext load stopped pass 1, if any. */
  readonly stalledOn?: CandidateDecision | undefined;
}

/** Runs one matching pass for `nub` against `catalogue`. */
export function matchService(catalogue: IOCatalogue, nub: MatchNub, hooks: MatchHooks = {}): MatchRun {
  const held = new Map<string, string>();
  for (const c of nub.clients()) if (c.holdsCategory && c.matchCategory !== undefined && !held.has(c.matchCategory)) held.set(c.matchCategory, c.className);

  const candidates: CandidateDecision[] = [];
  const familyMatches = new OrderedByScore<CandidateDecision>();
  let stalledOn: CandidateDecision | undefined;
  const opts = { arch: catalogue.arch, families: catalogue.families, changesOK: false, classDone: true, score: 0 };
  for (const p of catalogue.findDrivers(nub)) {
    const isDext = p.table.has(kIOUserServerNameKey);
    const holder = held.get(p.category);
    if (holder !== undefined && !isDext) {
      candidates.push({ personality: p, category: p.category, scoreBefore: p.score, scoreAfterMatch: undefined, scoreAfterProbe: undefined, outcome: "category-taken", table: undefined, note: holder });
      continue;
    }
    // Passive matching reads the stored table; only a match pays for the copy the driver gets,
    // with what matchPassive(ChangesOK) writes: IONameMatched, the family score, the category.
    opts.score = p.score;
    const r = matchPassive(p.table, nub, opts);
    let copy: OSDictionary | undefined;
    if (r.matched) {
      copy = new Map(p.table);
      if (r.nameMatched !== undefined) copy.set(kIONameMatchedKey, r.nameMatched);
      if (r.score !== p.score) copy.set(kIOProbeScoreKey, new OSNumber(BigInt.asUintN(32, BigInt(r.score)), 32));
      copy.set(kIOMatchCategoryKey, p.category);
    }
    const d: CandidateDecision = {
      personality: p, category: p.category, scoreBefore: p.score, scoreAfterMatch: r.score, scoreAfterProbe: undefined,
      outcome: r.matched ? "lost" : "no-match", table: copy, failure: r.failure, family: r.family, familyDetail: r.familyDetail,
    };
    candidates.push(d);
    if (!r.matched) continue;
    const verdict = hooks.admit ? hooks.admit(d, nub) : "ok";
    if (verdict === "skip") { d.outcome = "skipped"; continue; }
    if (verdict === "stall") { d.outcome = "stalled"; stalledOn = d; break; }
    familyMatches.insert(d, r.score);
  }

  // Pass 2: probe, then the start list of each category ordered by the probed score.
  const startLists = new Map<string, OrderedByScore<CandidateDecision>>();
  for (const { item: d, score } of familyMatches.entries()) {
    const pr = hooks.probe ? hooks.probe(d, nub, score) : { score };
    if (pr === undefined) { d.outcome = "probe-failed"; continue; }
    d.scoreAfterProbe = pr.score;
    if (pr.instance !== undefined) d.instance = pr.instance;
    let list = startLists.get(d.category);
    if (list === undefined) startLists.set(d.category, (list = new OrderedByScore()));
    list.insert(d, pr.score);
  }

  const published = (name: string): boolean => {
    if (hooks.resourcePublished) return hooks.resourcePublished(name);
    const res = nub.resources();
    return res === undefined || res.property(name) !== undefined;
  };
  const isResources = nub.conformsTo("IOResources") || nub.conformsTo("IOUserResources");
  const winners = new Map<string, CandidateDecision>();
  for (const [category, list] of startLists) {
    let winner: CandidateDecision | undefined;
    for (const d of list.items()) {
      if (winner !== undefined) { d.outcome = "lost"; d.note = describeWinner(winner); continue; }
      if (!isResources) {
        const missing = [...namesOf(d.table?.get(kIOResourceMatchKey)), ...namesOf(nub.property(kIOResourceMatchKey))].find((r) => !published(r));
        // Divergence from XNU: startCandidate blocks the thread until the resource is published; the
        // engine records the wait and ends the category, and the runtime owns the waiting.
        if (missing !== undefined) { d.outcome = "waiting-resource"; d.note = missing; winner = d; continue; }
      }
      if (hooks.start && !hooks.start(d, nub)) { d.outcome = "start-failed"; continue; }
      d.outcome = "started";
      winner = d;
      winners.set(category, d);
    }
  }
  return { nub, candidates, winners, stalledOn };
}

function describeWinner(w: CandidateDecision): string {
  return `${w.personality.ioClass ?? "?"}${w.personality.bundle ? ` (${w.personality.bundle})` : ""}`;
}
