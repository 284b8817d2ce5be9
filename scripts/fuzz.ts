/**
 * `npm run fuzz -- TARGET [--iterations N] [--seed S]`: mutation fuzzing of a parser listed in
 * scripts/fuzzTargets.ts. Each iteration mutates a seed and runs the target; only the target's
 * typed errors are allowed, anything else (or an input taking over a second) is a finding, printed
 * with the input in hex, and the run exits 1. Deterministic for a given `--seed`.
 */
import { fileURLToPath } from "node:url";
import { FUZZ_TARGETS, type FuzzTargetEntry } from "./fuzzTargets.ts";

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Byte-level mutation for targets without their own mutator. */
function genericMutate(seeds: readonly Uint8Array[], rand: () => number): Uint8Array {
  const b = Uint8Array.from(seeds[Math.floor(rand() * seeds.length)]!);
  for (let i = 0, n = 1 + Math.floor(rand() * 4); i < n && b.length > 0; i++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
  return rand() < 0.2 ? b.slice(0, Math.floor(rand() * b.length)) : b;
}

export interface FuzzReport {
  readonly iterations: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly findings: { input: Uint8Array; error: unknown }[];
  readonly slowestMs: number;
}

/** Fuzzes one target; stops after 10 findings. */
export function fuzz(entry: FuzzTargetEntry, iterations: number, seed = 1): FuzzReport {
  const { target } = entry;
  const seeds = target.seeds();
  const mutate = entry.mutate ?? genericMutate;
  const rand = prng(seed);
  let accepted = 0;
  let rejected = 0;
  let slowestMs = 0;
  const findings: { input: Uint8Array; error: unknown }[] = [];
  for (let i = 0; i < iterations && findings.length < 10; i++) {
    const input = mutate(seeds, rand);
    const t0 = performance.now();
    try {
      target.run(input);
      accepted++;
    } catch (error) {
      if (target.expected(error)) rejected++;
      else findings.push({ input, error });
    }
    const ms = performance.now() - t0;
    slowestMs = Math.max(slowestMs, ms);
    if (ms > 1000) findings.push({ input, error: new Error(`slow input: ${ms.toFixed(0)} ms`) });
  }
  return { iterations, accepted, rejected, findings, slowestMs };
}

async function cli(argv: string[]): Promise<number> {
  const entry = FUZZ_TARGETS.find((t) => t.target.name === argv[0]);
  if (entry === undefined) {
    process.stderr.write(`usage: npm run fuzz -- <${FUZZ_TARGETS.map((t) => t.target.name).join("|")}> [--iterations N] [--seed S]\n`);
    return 64;
  }
  const opt = (flag: string, dflt: number): number => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : dflt;
  };
  const iterations = opt("--iterations", 100_000);
  const t0 = performance.now();
  const r = fuzz(entry, iterations, opt("--seed", 1));
  const secs = (performance.now() - t0) / 1000;
  process.stdout.write(`${entry.target.name}: ${r.iterations} inputs in ${secs.toFixed(1)} s, ${r.accepted} accepted, ${r.rejected} rejected with typed errors, slowest ${r.slowestMs.toFixed(1)} ms, ${r.findings.length} findings\n`);
  for (const f of r.findings) {
    const e = f.error instanceof Error ? `${f.error.name}: ${f.error.message}\n${f.error.stack ?? ""}` : String(f.error);
    process.stdout.write(`FINDING ${e}\n  input (${f.input.length} bytes): ${Buffer.from(f.input.subarray(0, 512)).toString("hex")}\n`);
  }
  return r.findings.length === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await cli(process.argv.slice(2));
}
