/**
 * `npm run bench -- macho [FILE] [--runs N]`: whole-process `nm -P` on the largest Mach-O in the
 * corpus (or FILE), `node bin/iokit.mjs nm -P FILE` side by side with `llvm-nm-16 -P FILE` in the
 * same run, hyperfine-style: one warm-up each, then N alternating runs, median and min wall time.
 * Run `npm run build` first so that bin/iokit.mjs uses the bundle.
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
  time(process.execPath, [cli, "nm", "-P", file]);
  time("llvm-nm-16", ["-P", file]);
  for (let i = 0; i < runs; i++) {
    ours.push(time(process.execPath, [cli, "nm", "-P", file], "iokit"));
    llvm.push(time("llvm-nm-16", ["-P", file], "llvm"));
    time(process.execPath, ["-e", ""], "node");
  }
  const node = time(process.execPath, ["-e", ""], "node");
  const cpuText = (k: string): string => (cpu.has(k) ? `, CPU median ${median(cpu.get(k)!).toFixed(0)} ms` : "");
  const mo = median(ours);
  const ml = median(llvm);
  process.stdout.write(`nm -P ${file} (${(statSync(file).size / 1e6).toFixed(1)} MB), ${runs} runs each, Node ${process.version}\n`);
  process.stdout.write(`  iokit nm   wall median ${mo.toFixed(1)} ms  min ${Math.min(...ours).toFixed(1)} ms${cpuText("iokit")}\n`);
  process.stdout.write(`  llvm-nm-16 wall median ${ml.toFixed(1)} ms  min ${Math.min(...llvm).toFixed(1)} ms${cpuText("llvm")}\n`);
  process.stdout.write(`  ratio ${(mo / ml).toFixed(2)}x wall (min ${(Math.min(...ours) / Math.min(...llvm)).toFixed(2)}x); empty \`node -e ""\` ${node.toFixed(1)} ms${cpuText("node")}\n`);
}
