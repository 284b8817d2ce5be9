/**
 * `npm run fuzz -- TARGET [--iterations N] [--seed S]`: mutation fuzzing of a parser from
 * scripts/fuzzTargets.ts. Each iteration takes a seed input (or splices two), applies a few random
 * mutations (bit flips, interesting bytes and integers, truncation, insertion, deletion, chunk
 * duplication), and parses it. Only the target's typed errors are allowed; anything else is
 * printed with the input (hex) and the run exits 1. Runs are deterministic for a given `--seed`.
 */
import { fileURLToPath } from "node:url";
import { FUZZ_TARGETS, type FuzzTarget } from "./fuzzTargets.ts";

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

const INTERESTING = [0x00, 0x01, 0x0f, 0x10, 0x13, 0x14, 0x1f, 0x20, 0x3c, 0x3e, 0x26, 0x5f, 0x6f, 0x7f, 0x80, 0xa0, 0xaf, 0xd0, 0xdf, 0xfe, 0xff];
const TOKENS = ["<dict>", "</dict>", "<array>", "</array>", "<key>", "</key>", "<string>", "&amp;", "&#x0;", "&#1114112;", "<![CDATA[", "]]>", "<!--", "-->", "<!DOCTYPE x [<!ENTITY a \"b\">]>", "<integer>", "0x", "<real>", "nan", "<data>", "====", "<date>", "\u{1F600}"];

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** One mutated input. */
export function mutate(seeds: readonly Uint8Array[], rand: () => number): Uint8Array {
  const pick = (n: number): number => Math.floor(rand() * n);
  let b: Uint8Array = Uint8Array.from(seeds[pick(seeds.length)] as Uint8Array);
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds; r++) {
    const at = pick(Math.max(b.length, 1));
    switch (pick(9)) {
      case 0:
        if (b.length > 0) b[at] = (b[at] as number) ^ (1 << pick(8));
        break;
      case 1:
        if (b.length > 0) b[at] = INTERESTING[pick(INTERESTING.length)] as number;
        break;
      case 2: // a big-endian integer of 1, 2, 4 or 8 bytes with an edge value (counts, offsets)
      {
        const size = [1, 2, 4, 8][pick(4)] as number;
        const fill = [0x00, 0xff, 0x7f, 0x80][pick(4)] as number;
        for (let i = 0; i < size && at + i < b.length; i++) b[at + i] = i === 0 ? fill : pick(2) === 0 ? 0 : 0xff;
        break;
      }
      case 3: // in the trailer of a binary plist
        if (b.length > 32) b[b.length - 1 - pick(32)] = INTERESTING[pick(INTERESTING.length)] as number;
        break;
      case 4:
        b = b.slice(0, at);
        break;
      case 5: {
        const n = Math.min(1 + pick(16), b.length - at);
        b = concat(b.subarray(0, at), b.subarray(at + n));
        break;
      }
      case 6: {
        const tok = new TextEncoder().encode(TOKENS[pick(TOKENS.length)] as string);
        const next = new Uint8Array(b.length + tok.length);
        next.set(b.subarray(0, at));
        next.set(tok, at);
        next.set(b.subarray(at), at + tok.length);
        b = next;
        break;
      }
      case 7: { // duplicate a chunk
        const len = Math.min(1 + pick(64), b.length - at);
        const next = new Uint8Array(b.length + len);
        next.set(b.subarray(0, at + len));
        next.set(b.subarray(at, at + len), at + len);
        next.set(b.subarray(at + len), at + 2 * len);
        b = next;
        break;
      }
      default: { // splice with another seed
        const other = seeds[pick(seeds.length)] as Uint8Array;
        const from = pick(Math.max(other.length, 1));
        b = concat(b.subarray(0, at), other.subarray(from));
      }
    }
  }
  return b;
}

/** Statistics of a run. */
export interface FuzzReport {
  readonly iterations: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly findings: { input: Uint8Array; error: unknown }[];
  readonly slowestMs: number;
}

/** Fuzzes one target; stops at the first 10 findings. */
export function fuzz(target: FuzzTarget, iterations: number, seed = 1): FuzzReport {
  const seeds = target.seeds();
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
    slowestMs = Math.max(slowestMs, performance.now() - t0);
  }
  return { iterations, accepted, rejected, findings, slowestMs };
}

async function cli(argv: string[]): Promise<number> {
  const name = argv[0];
  const target = FUZZ_TARGETS.find((t) => t.name === name);
  if (target === undefined) {
    process.stderr.write(`usage: npm run fuzz -- <${FUZZ_TARGETS.map((t) => t.name).join("|")}> [--iterations N] [--seed S]\n`);
    return 64;
  }
  const opt = (flag: string, dflt: number): number => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : dflt;
  };
  const iterations = opt("--iterations", 100_000);
  const seed = opt("--seed", 1);
  const t0 = performance.now();
  const r = fuzz(target, iterations, seed);
  const secs = (performance.now() - t0) / 1000;
  process.stdout.write(`${target.name}: ${r.iterations} inputs in ${secs.toFixed(1)} s, ${r.accepted} accepted, ${r.rejected} rejected with typed errors, slowest ${r.slowestMs.toFixed(1)} ms, ${r.findings.length} findings\n`);
  for (const f of r.findings) {
    const e = f.error instanceof Error ? `${f.error.name}: ${f.error.message}` : String(f.error);
    process.stdout.write(`FINDING ${e}\n  input (${f.input.length} bytes): ${Buffer.from(f.input.subarray(0, 512)).toString("hex")}\n`);
  }
  return r.findings.length === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await cli(process.argv.slice(2));
}
