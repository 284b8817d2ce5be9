/**
 * Explanations of one matching pass: for a nub, every personality considered, the first key that
 * failed with expected and actual values, scores before and after family matching and probe, the
 * match categories and their winners, as text and as JSON. The seeds' mistakes are named in so
 * many words (a private IOMatchCategory beside a system driver, IOUserService left in a dext's
 * IOClass, an IOResources personality without IOMatchCategory taking the default category).
 */
import { binaryToText, formatIORegValue } from "../../formats/index.ts";
import { OSNumber, type OSValue } from "../../libkern/index.ts";
import { kIODefaultMatchCategoryKey, kIOMatchCategoryKey } from "./keys.ts";
import type { MatchFailure } from "./MatchFailure.ts";
import type { MatchClient } from "./MatchNub.ts";
import type { CandidateDecision, MatchRun } from "./matchService.ts";
import { formatDiagnostic, lintPersonality, type PersonalityDiagnostic } from "./validatePersonality.ts";

/** How a value is shown in explanations: ioreg's notation, numbers also in hex. */
export function describeValue(v: OSValue | undefined): string {
  if (v === undefined) return "(absent)";
  if (v instanceof OSNumber) {
    const u = BigInt.asUintN(64, v.value);
    return u < 10n ? u.toString() : `${u} (0x${u.toString(16)})`;
  }
  return binaryToText(formatIORegValue(v));
}

export interface ExplainOptions {
  /** Personalities the user supplied (by sequence number), linted in full. */
  readonly extra?: ReadonlySet<number>;
  /** The drivers the real machine has on this nub, per category, for comparison. */
  readonly recorded?: readonly MatchClient[];
}

/** The JSON form of one candidate. */
export interface CandidateJSON {
  readonly class: string | null;
  readonly bundle: string | null;
  readonly personality: string | null;
  readonly providerClass: string;
  readonly category: string;
  readonly scoreBefore: number;
  readonly scoreAfterMatch: number | null;
  readonly scoreAfterProbe: number | null;
  readonly outcome: string;
  readonly failure: { key: string; expected: string; actual: string; reason: string | null } | null;
  readonly family: string | null;
  readonly familyDetail: string | null;
  readonly note: string | null;
  readonly origin: string | null;
}

export interface ExplanationJSON {
  readonly nub: { readonly class: string; readonly name: string; readonly location: string | null; readonly id: string | null; readonly path: string; readonly classChain: readonly string[] };
  readonly candidates: readonly CandidateJSON[];
  readonly winners: Readonly<Record<string, string>>;
  readonly recorded: Readonly<Record<string, string>>;
  readonly notes: readonly string[];
}

function failureJSON(f: MatchFailure | undefined): CandidateJSON["failure"] {
  if (f === undefined) return null;
  return { key: f.key, expected: describeValue(f.expected), actual: describeValue(f.actual), reason: f.reason ?? null };
}

function candidateJSON(d: CandidateDecision): CandidateJSON {
  const p = d.personality;
  return {
    class: p.ioClass ?? null, bundle: p.bundle ?? null, personality: p.name ?? null, providerClass: p.providerClass,
    category: d.category, scoreBefore: d.scoreBefore, scoreAfterMatch: d.scoreAfterMatch ?? null,
    scoreAfterProbe: d.scoreAfterProbe ?? null, outcome: d.outcome, failure: failureJSON(d.failure),
    family: d.family ?? null, familyDetail: d.familyDetail ?? null, note: d.note ?? null, origin: p.origin ?? null,
  };
}

/** The notes an explanation adds: lints of the personalities involved and what the outcome means. */
export function explanationNotes(run: MatchRun, options: ExplainOptions = {}): string[] {
  const notes: string[] = [];
  const seen = new Set<string>();
  const push = (s: string): void => { if (!seen.has(s)) { seen.add(s); notes.push(s); } };
  for (const d of run.candidates) {
    const p = d.personality;
    const isExtra = options.extra?.has(p.seq) === true;
    const lints: PersonalityDiagnostic[] = lintPersonality(p.table, p.bundle, p.name);
    for (const l of lints) {
      // Apple's own drivers use private categories everywhere; say it about the user's personalities,
      // and about anything that actually took a category from another driver.
      if (!isExtra && l.severity === "note") continue;
      if (!isExtra && d.outcome !== "started") continue;
      push(formatDiagnostic(l));
    }
    if (d.outcome === "lost" && d.note !== undefined) {
      const winner = run.winners.get(d.category);
      if (winner !== undefined && run.nub.conformsTo("IOResources") && !winner.personality.table.has(kIOMatchCategoryKey) && d.category === kIODefaultMatchCategoryKey) {
        push(`${p.ioClass ?? "?"} lost IOResources' default category to ${winner.personality.ioClass ?? "?"}: personality on IOResources without IOMatchCategory blocks every other default-category IOResources driver`);
      }
    }
    if (isExtra && d.outcome !== "no-match") {
      const holder = options.recorded?.find((c) => c.matchCategory === d.category && c.className !== p.ioClass);
      if (holder !== undefined) {
        push(`on the running machine ${holder.className} already holds category ${d.category} on this nub, so ${p.ioClass ?? "this personality"} is skipped until ${holder.className} is terminated (or give it its own IOMatchCategory to load beside it)`);
      }
    }
  }
  return notes;
}

/** The explanation as JSON. */
export function explainJSON(run: MatchRun, options: ExplainOptions = {}): ExplanationJSON {
  const n = run.nub;
  const recorded: Record<string, string> = {};
  for (const c of options.recorded ?? []) if (c.matchCategory !== undefined) recorded[c.matchCategory] = c.className;
  return {
    nub: {
      class: n.className, name: n.name, location: n.location ?? null,
      id: n.registryEntryID === undefined ? null : `0x${n.registryEntryID.toString(16)}`, path: n.path, classChain: n.classChain(),
    },
    candidates: run.candidates.map(candidateJSON),
    winners: Object.fromEntries([...run.winners].map(([k, d]) => [k, d.personality.ioClass ?? ""])),
    recorded,
    notes: explanationNotes(run, options),
  };
}

const OUTCOME_TEXT: Record<string, string> = {
  "started": "WINNER", "lost": "lost", "no-match": "no match", "category-taken": "skipped", "probe-failed": "probe failed",
  "start-failed": "start failed", "waiting-resource": "waiting", "skipped": "refused", "stalled": "stalled",
};

function who(d: CandidateDecision): string {
  const p = d.personality;
  return `${p.ioClass ?? "(no IOClass)"}${p.bundle !== undefined ? ` (${p.bundle}${p.name !== undefined ? `, personality '${p.name}'` : ""})` : ""}`;
}

function scores(d: CandidateDecision): string {
  const parts = [`score ${d.scoreBefore}`];
  if (d.scoreAfterMatch !== undefined && d.scoreAfterMatch !== d.scoreBefore) parts.push(`-> ${d.scoreAfterMatch} after family matching`);
  if (d.scoreAfterProbe !== undefined && d.scoreAfterProbe !== d.scoreAfterMatch) parts.push(`-> ${d.scoreAfterProbe} after probe`);
  return parts.join(" ");
}

/** The explanation as text. */
export function explainText(run: MatchRun, options: ExplainOptions = {}): string {
  const n = run.nub;
  const out: string[] = [];
  const id = n.registryEntryID === undefined ? "" : ` (id 0x${n.registryEntryID.toString(16)})`;
  out.push(`${n.path}${id}: class ${n.className}`);
  out.push(`  class chain: ${n.classChain().join(" : ")}`);
  out.push(`  ${run.candidates.length} personalit${run.candidates.length === 1 ? "y" : "ies"} with IOProviderClass in the class chain`);
  const cats = [...new Set(run.candidates.filter((d) => d.outcome !== "no-match").map((d) => d.category))];
  for (const cat of cats) {
    out.push("");
    const w = run.winners.get(cat);
    out.push(`  category ${cat}: ${w !== undefined ? `${w.personality.ioClass ?? "?"} wins` : "no driver started"}`);
    for (const d of run.candidates.filter((x) => x.category === cat && x.outcome !== "no-match")) {
      let line = `    ${OUTCOME_TEXT[d.outcome] ?? d.outcome}  ${who(d)}  ${scores(d)}`;
      if (d.familyDetail !== undefined) line += ` [${d.family}: ${d.familyDetail}]`;
      if (d.outcome === "lost" && d.note !== undefined) line += `: lost to ${d.note}`;
      if (d.outcome === "category-taken") line += `: ${d.note ?? "a client"} already holds the category`;
      if (d.outcome === "waiting-resource") line += `: start waits for resource "${d.note}" to be published`;
      if (d.outcome === "stalled") line += ": its kext is not loaded yet; matching of this nub waits for it (later candidates are not considered)";
      out.push(line);
    }
  }
  const misses = run.candidates.filter((d) => d.outcome === "no-match");
  if (misses.length > 0) {
    out.push("");
    out.push("  no match:");
    for (const d of misses) {
      const f = d.failure;
      if (f === undefined) { out.push(`    ${who(d)}`); continue; }
      let line = `    ${who(d)}: ${f.key}: expected ${describeValue(f.expected)}, actual ${describeValue(f.actual)}`;
      if (f.reason !== undefined) line += ` (${f.reason})`;
      if (d.family !== undefined && !f.key.startsWith("IO")) line += ` [${d.family}]`;
      out.push(line);
    }
  }
  if (options.recorded !== undefined && options.recorded.length > 0) {
    out.push("");
    out.push("  recorded on the real machine:");
    for (const c of options.recorded) {
      const cat = c.matchCategory ?? kIODefaultMatchCategoryKey;
      const w = run.winners.get(cat);
      const same = w !== undefined && w.personality.ioClass === c.className;
      out.push(`    ${cat}: ${c.className}${same ? " (reproduced)" : w !== undefined ? ` (predicted ${w.personality.ioClass ?? "?"})` : " (not predicted)"}`);
    }
  }
  const notes = explanationNotes(run, options);
  if (notes.length > 0) {
    out.push("");
    out.push("  notes:");
    for (const s of notes) out.push(`    ${s}`);
  }
  return `${out.join("\n")}\n`;
}
