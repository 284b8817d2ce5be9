/**
 * `iokit match`: the matching engine on real inputs.
 *
 *   iokit match --replay DUMP [--json] [--arch x86_64|arm64]
 *       Rebuilds the catalogue from the driver entries of a registry dump, re-runs matching on
 *       every registered nub and reports, per nub and match category, predicted vs recorded.
 *   iokit match explain ENTRY --import DUMP [--json] [--kext PLIST|KEXT ...] [--arch ...]
 *       Explains matching for one nub of the dump (ENTRY: an entry id `0x…`, an `IOService:/…`
 *       path, a `/…` path of display names as the replay prints it, or a unique name) against the
 *       dump's own catalogue plus the personalities of the named kexts.
 *   iokit match check PLIST|KEXT ...
 *       Validates the personalities of kexts: wrong-typed keys, malformed PCI match strings and the
 *       common mistakes (private IOMatchCategory, IOUserService in a dext, IOResources without a
 *       category).
 *
 * Exit codes: 0 success, 1 a problem with the inputs (one line on stderr), 64 usage; `check`
 * exits 1 when a personality has an error.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  IOCatalogue, appleClassHierarchy, classNameOverrides, explainJSON, explainText, formatDiagnostic, replayDump, replayEntriesFromSnapshot,
  type Attachment, type BuildArch, type MatchClient, type PersonalityInput, type ReplayResult, type StaticNub,
} from "../../kernel/index.ts";
import { getopt, GetoptError } from "../getopt.ts";
import { importDump } from "../ioreg/loadDump.ts";
import type { ToolIO } from "../ToolIO.ts";
import { KextInputError, loadPersonalities } from "./loadPersonalities.ts";

export const summary = "explain driver matching, replay it against a real Mac's registry dump, check personalities";

const USAGE = `usage: iokit match --replay DUMP [--json] [--arch x86_64|arm64]
       iokit match explain ENTRY --import DUMP [--json] [--kext PLIST|KEXT]... [--arch x86_64|arm64]
       iokit match check PLIST|KEXT...
`;

/** The short digest the class table uses to name a dump (first 16 hex digits of its SHA-256). */
export function dumpDigest(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex").slice(0, 16);
}

class InputError extends Error {}

/** Imports a dump and replays it with the class table minus the facts only this dump shows. */
export function loadReplay(io: ToolIO, dumpPath: string, arch: BuildArch | undefined, extra: readonly PersonalityInput[]): ReplayResult {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(resolve(io.cwd, dumpPath)));
  } catch (e) {
    throw new InputError(`can't open "${dumpPath}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let snapshot;
  try {
    const r = importDump(bytes);
    snapshot = r.snapshot;
    if (r.problem !== undefined) {
      io.stderr(`match: warning: ${dumpPath}: ${r.problem.line !== undefined ? `line ${r.problem.line}: ` : ""}${r.problem.message}; using what precedes it\n`);
    }
  } catch (e) {
    throw new InputError(`${dumpPath}: ${(e as Error).message}`);
  }
  if (snapshot.hasProperties === false) throw new InputError(`${dumpPath}: the dump has no properties (made without ioreg -l): nothing to replay`);
  const loo = { excludeDump: dumpDigest(bytes) };
  return replayDump(replayEntriesFromSnapshot(snapshot), {
    hierarchy: appleClassHierarchy(loo), overrides: classNameOverrides(loo), dump: dumpPath, ...(arch ? { arch } : {}), extra,
  });
}

function findNub(r: ReplayResult, spec: string): string {
  const lower = spec.toLowerCase();
  if (r.nubs.has(spec)) return spec;
  if (/^0x[0-9a-f]+$/.test(lower) && r.nubs.has(lower)) return lower;
  const hits: string[] = [];
  for (const [k, n] of r.nubs) {
    const display = n.location !== undefined ? `${n.name}@${n.location}` : n.name;
    if (n.path === spec || n.path === spec.replace(/\/$/, "") || display === spec || n.name === spec) hits.push(k);
  }
  if (hits.length === 1) return hits[0] as string;
  if (hits.length === 0) throw new InputError(`no registry entry "${spec}" in the dump`);
  throw new InputError(`"${spec}" names ${hits.length} entries; use an entry id or a path (${hits.slice(0, 3).join(", ")}, …)`);
}

function recordedClients(r: ReplayResult, key: string): MatchClient[] {
  return r.recorded.filter((a) => a.provider === key).map((a) => ({ className: a.class, matchCategory: a.category, holdsCategory: true }));
}

export async function main(argv: string[], io: ToolIO): Promise<number> {
  let parsed;
  try {
    parsed = getopt(argv, {
      long: [
        { name: "replay", hasArg: "required" }, { name: "import", hasArg: "required" }, { name: "json", hasArg: "none" },
        { name: "kext", hasArg: "required" }, { name: "arch", hasArg: "required" }, { name: "help", hasArg: "none" },
      ],
      longOnly: false,
      permute: true,
    }, "match");
  } catch (e) {
    if (e instanceof GetoptError) { io.stderr(`${e.message}\n${USAGE}`); return 64; }
    throw e;
  }
  let replay: string | undefined;
  let importPath: string | undefined;
  let json = false;
  let arch: BuildArch | undefined;
  const kexts: string[] = [];
  for (const o of parsed.options) {
    if (o.id === "replay") replay = o.value;
    else if (o.id === "import") importPath = o.value;
    else if (o.id === "json") json = true;
    else if (o.id === "kext") kexts.push(o.value as string);
    else if (o.id === "help") { io.stdout(USAGE); return 0; }
    else if (o.id === "arch") {
      if (o.value !== "x86_64" && o.value !== "arm64") { io.stderr(`match: --arch must be x86_64 or arm64, not "${o.value}"\n`); return 64; }
      arch = o.value;
    }
  }
  const [verb, ...rest] = parsed.operands;
  try {
    const extra = kexts.flatMap((k) => loadPersonalities(resolve(io.cwd, k)));
    if (replay !== undefined && verb === undefined) {
      const r = loadReplay(io, replay, arch, extra);
      io.stdout(json ? `${JSON.stringify(r.report)}\n` : replayText(r));
      return 0;
    }
    if (verb === "explain") {
      if (rest.length !== 1 || importPath === undefined) { io.stderr(USAGE); return 64; }
      const r = loadReplay(io, importPath, arch, extra);
      const key = findNub(r, rest[0] as string);
      const run = r.runs.get(key);
      if (run === undefined) throw new InputError(`${rest[0]}: the entry is not registered, so it is never matched`);
      const fromKexts = new Set(extra.map((e) => e.origin));
      const extraSeqs = new Set([...r.catalogue.personalities()].filter((p) => fromKexts.has(p.origin)).map((p) => p.seq));
      const options = { extra: extraSeqs, recorded: recordedClients(r, key) };
      io.stdout(json ? `${JSON.stringify(explainJSON(run, options))}\n` : explainText(run, options));
      return 0;
    }
    if (verb === "check") {
      if (rest.length === 0) { io.stderr(USAGE); return 64; }
      let errors = 0;
      for (const path of rest) {
        const result = new IOCatalogue().addDrivers(loadPersonalities(resolve(io.cwd, path)), false);
        errors += result.diagnostics.filter((d) => d.severity === "error").length;
        const n = result.added.length;
        io.stdout(`${path}: ${n} personalit${n === 1 ? "y" : "ies"}${result.diagnostics.length === 0 ? ", no problems" : ""}\n`);
        for (const d of result.diagnostics) io.stdout(`  ${formatDiagnostic(d)}\n`);
      }
      return errors > 0 ? 1 : 0;
    }
    io.stderr(USAGE);
    return 64;
  } catch (e) {
    if (e instanceof InputError || e instanceof KextInputError) { io.stderr(`match: ${e.message}\n`); return 1; }
    throw e;
  }
}

function replayText(r: ReplayResult): string {
  const rep = r.report;
  const pct = (a: number, b: number): string => (b === 0 ? "-" : `${((100 * a) / b).toFixed(1)}%`);
  const out = [
    `${rep.dump}: ${rep.reproduced} of ${rep.attachments} recorded attachments reproduced (${pct(rep.reproduced, rep.attachments)}), ${rep.spurious.length} of ${rep.predicted.length} predictions spurious (${pct(rep.spurious.length, rep.predicted.length)})`,
  ];
  const line = (tag: string, a: Attachment): string => {
    const n: StaticNub | undefined = r.nubs.get(a.provider);
    return `  ${tag} ${a.provider}${n ? ` (${n.className})` : ""}: ${a.class}${a.bundle ? ` (${a.bundle})` : ""} in ${a.category}`;
  };
  if (rep.missed.length > 0) out.push("missed (recorded, not predicted):", ...rep.missed.map((a) => line("-", a)));
  if (rep.spurious.length > 0) out.push("spurious (predicted, not recorded):", ...rep.spurious.map((a) => line("+", a)));
  return `${out.join("\n")}\n`;
}
