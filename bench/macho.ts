/**
 * `npm run bench -- macho [FILE] [--runs N]`: whole-process `nm -P` on the largest Mach-O in the
 * corpus (or FILE), `node bin/iokit.mjs nm -P FILE` side by side with `llvm-nm-16 -P FILE` in the
 * same run, hyperfine-style: one warm-up each, then N alternating runs, median and min wall time.
 * Run `npm run build` first so that bin/iokit.mjs uses the bundle.
 *
 * The same command also runs under Node 24 when `npx --yes node@24.21.0` can fetch it (into the npx
 * cache; package.json is untouched), since Node 20's bare start-up alone exceeds llvm-nm's whole run:
 * `--no-node24` skips that. An empty `node -e ""` per Node version is the floor no CLI can beat.
 */
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { corpusFiles } from "../test/support/corpus.ts";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const GNU_TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
const cpu: Map<string, number[]> = new Map();

/** Wall time of one run in ms; the CPU time (user+sys, via /usr/bin/time when present) is recorded too. */
function time(cmd: string, args: string[], label = cmd): number {
  const argv = GNU_TIME !== undefined ? [GNU_TIME, "-f", "CPU %U %S", cmd, ...args] : [cmd, ...args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited with ${r.status}: ${r.stderr}`);
  const m = /CPU ([\d.]+) ([\d.]+)/.exec(r.stderr ?? "");
  if (m !== null) cpu.set(label, [...(cpu.get(label) ?? []), (Number(m[1]) + Number(m[2])) * 1000]);
  return ms;
}

/** The Node 24 binary npx fetches, or undefined when it cannot (offline, no npx). */
function node24(): string | undefined {
  const r = spawnSync("npx", ["--yes", "node@24.21.0", "-p", "process.execPath"], { encoding: "utf8", timeout: 300_000 });
  const path = r.status === 0 ? r.stdout.trim().split("\n").pop() : undefined;
  return path !== undefined && existsSync(path) ? path : undefined;
}

export default async function (args: string[]): Promise<void> {
  const runsAt = args.indexOf("--runs");
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 20;
  let file = args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--runs");
  if (file === undefined) {
    const candidates = corpusFiles("D_macho_npm", (p) => !p.includes("NEGATIVE"));
    file = candidates.sort((a, b) => statSync(b).size - statSync(a).size)[0];
  }
  if (file === undefined) {
    process.stderr.write("bench macho: no corpus and no FILE given\n");
    process.exitCode = 1;
    return;
  }
  const cli = fileURLToPath(new URL("../bin/iokit.mjs", import.meta.url));
  if (!existsSync(fileURLToPath(new URL("../dist/iokit.mjs", import.meta.url)))) {
    process.stderr.write("bench macho: dist/ is missing; run `npm run build` first\n");
    process.exitCode = 1;
    return;
  }
  const ours: number[] = [];
  const llvm: number[] = [];
  const nodes: number[] = [];
  const n24 = args.includes("--no-node24") ? undefined : node24();
  const ours24: number[] = [];
  const nodes24: number[] = [];
  time(process.execPath, [cli, "nm", "-P", file]);
  time("llvm-nm-16", ["-P", file]);
  if (n24 !== undefined) time(n24, [cli, "nm", "-P", file]); // also fills Node 24's compile cache
  for (let i = 0; i < runs; i++) {
    ours.push(time(process.execPath, [cli, "nm", "-P", file], "iokit"));
    llvm.push(time("llvm-nm-16", ["-P", file], "llvm"));
    nodes.push(time(process.execPath, ["-e", ""], "node"));
    if (n24 !== undefined) {
      ours24.push(time(n24, [cli, "nm", "-P", file], "iokit24"));
      nodes24.push(time(n24, ["-e", ""], "node24"));
    }
  }
  const node = median(nodes);
  const cpuText = (k: string): string => (cpu.has(k) ? `, CPU median ${median(cpu.get(k)!).toFixed(0)} ms` : "");
  const mo = median(ours);
  const ml = median(llvm);
  process.stdout.write(`nm -P ${file} (${(statSync(file).size / 1e6).toFixed(1)} MB), ${runs} runs each, Node ${process.version}\n`);
  process.stdout.write(`  iokit nm   wall median ${mo.toFixed(1)} ms  min ${Math.min(...ours).toFixed(1)} ms${cpuText("iokit")}\n`);
  process.stdout.write(`  llvm-nm-16 wall median ${ml.toFixed(1)} ms  min ${Math.min(...llvm).toFixed(1)} ms${cpuText("llvm")}\n`);
  process.stdout.write(`  ratio ${(mo / ml).toFixed(2)}x wall (min ${(Math.min(...ours) / Math.min(...llvm)).toFixed(2)}x); empty \`node -e ""\` median ${node.toFixed(1)} ms${cpuText("node")} (${(node / ml).toFixed(2)}x llvm-nm)\n`);
  if (n24 !== undefined) {
    const m24 = median(ours24);
    const e24 = median(nodes24);
    process.stdout.write(`  Node 24.21.0: iokit nm wall median ${m24.toFixed(1)} ms  min ${Math.min(...ours24).toFixed(1)} ms${cpuText("iokit24")}, ratio ${(m24 / ml).toFixed(2)}x; empty node median ${e24.toFixed(1)} ms${cpuText("node24")} (${(e24 / ml).toFixed(2)}x llvm-nm)\n`);
  } else if (!args.includes("--no-node24")) {
    process.stdout.write("  Node 24: not available (npx --yes node@24.21.0 failed)\n");
  }
}
