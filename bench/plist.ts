/**
 * `npm run bench -- plist [--personalities N] [--runs R] [--ops a,b] [--impls a,b]`: plist codec throughput and peak memory,
 * side by side in one run with Python's plistlib and the npm `plist` package (5.0.0).
 *
 * The document is generated deterministically: one dictionary of N (default 50,000) driver
 * personalities, each a dictionary of strings, integers (some 64-bit), a real, a boolean and a
 * small data blob — about 13 MB of XML and 250k+ objects in binary. Each (implementation,
 * operation) runs in a fresh child process: one cold run measures peak memory (growth of the
 * resident set over the process's baseline after loading the input), then R timed runs give the
 * median (wall and CPU time). The peak counts garbage the collector had not reclaimed yet, so for
 * the Node implementations the child also reports what the result itself retains: V8 heap plus array buffers
 * after a forced full GC (`--expose-gc`), minus the same figure before the run. Parse operations read the file's bytes; write operations write the
 * value read (untimed) from the XML document.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseBinaryPlist, parseXMLPlist, writeBinaryPlist, writeXMLPlist } from "../src/formats/index.ts";
import { num, real, type OSDictionary, type OSValue } from "../src/libkern/index.ts";

const OPS = ["xml-parse", "xml-write", "binary-parse", "binary-write"] as const;
type Op = (typeof OPS)[number];
const IMPLS = ["iokit-ts", "plistlib", "npm plist@5"] as const;
type Impl = (typeof IMPLS)[number];

/** The benchmark document: N personalities, deterministic. */
export function generateDocument(n: number): OSDictionary {
  const top: OSDictionary = new Map();
  let x = 12345;
  const next = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  for (let i = 0; i < n; i++) {
    const p: OSDictionary = new Map<string, OSValue>([
      ["CFBundleIdentifier", `com.example.driver${i % 997}`],
      ["IOClass", `ExampleDriver${i}`],
      ["IOProviderClass", i % 3 === 0 ? "IOPCIDevice" : "IOUSBHostInterface"],
      ["IOProbeScore", num(next() % 100000)],
      ["IOPCIMatch", `0x${next().toString(16).padStart(8, "0")}&0xffffffff`],
      ["idVendor", num(i % 7 === 0 ? 2n ** 63n + BigInt(i) : BigInt(next()))],
      ["Ratio", real(next() / 7)],
      ["Enabled", i % 2 === 0],
      ["Blob", Uint8Array.from({ length: 12 }, () => next() & 0xff)],
    ]);
    top.set(`Personality${i}`, p);
  }
  return top;
}

interface Result {
  /** Median wall-clock time of one run. */
  readonly ms: number;
  /** Median CPU time (user + system, all threads) of one run: steadier than wall time on a busy machine. */
  readonly cpuMs: number;
  readonly peakBytes: number;
  /** Heap + array buffers still used by the cold run's result after a full GC (Node implementations only). */
  readonly retainedBytes?: number | undefined;
}

async function childRun(impl: Impl, op: Op, file: string, runs: number): Promise<Result> {
  const bytes = new Uint8Array(readFileSync(file));
  let task: () => unknown;
  if (impl === "iokit-ts") {
    if (op === "xml-parse") task = () => parseXMLPlist(bytes);
    else if (op === "binary-parse") task = () => parseBinaryPlist(bytes);
    else {
      const v = parseXMLPlist(bytes);
      task = op === "xml-write" ? () => writeXMLPlist(v) : () => writeBinaryPlist(v);
    }
  } else {
    const plist = (await import("plist")) as unknown as {
      parse(x: Uint8Array | string): unknown; parseBinary(x: Uint8Array): unknown; build(v: unknown): string; buildBinary(v: unknown): Uint8Array;
    };
    // plist.parse takes bytes as binary only: XML is decoded to text inside the timed task.
    const text = (): string => new TextDecoder().decode(bytes);
    if (op === "xml-parse") task = () => plist.parse(text());
    else if (op === "binary-parse") task = () => plist.parseBinary(bytes);
    else {
      const v = plist.parse(text());
      task = op === "xml-write" ? () => plist.build(v) : () => plist.buildBinary(v);
    }
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  const used = (): number => {
    gc?.();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = used();
  const base = process.memoryUsage().rss;
  const held = [task()]; // the result stays reachable through the GC below
  const peakBytes = Math.max(0, process.resourceUsage().maxRSS * 1024 - base);
  const retainedBytes = gc === undefined ? undefined : used() - before;
  held.length = 0;
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    task();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  return { ms: median(times), cpuMs: median(cpu), peakBytes, retainedBytes };
}

const PYTHON = `
import plistlib, resource, sys, time, json
impl, op, path, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
data = open(path, 'rb').read()
if op.endswith('parse'):
    task = lambda: plistlib.loads(data)
else:
    value = plistlib.loads(data)  # the XML document's value
    fmt = plistlib.FMT_XML if op.startswith('xml') else plistlib.FMT_BINARY
    task = lambda: plistlib.dumps(value, fmt=fmt, sort_keys=False)
def rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * resource.getpagesize()
base = rss()
task()
peak = max(0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - base)
times, cpu = [], []
for _ in range(runs):
    c0 = time.process_time(); t0 = time.perf_counter(); task()
    times.append((time.perf_counter() - t0) * 1000); cpu.append((time.process_time() - c0) * 1000)
times.sort(); cpu.sort()
print(json.dumps({"ms": times[len(times) // 2], "cpuMs": cpu[len(cpu) // 2], "peakBytes": peak}))
`;

function measure(impl: Impl, op: Op, file: string, runs: number): Result | string {
  const r = impl === "plistlib"
    ? spawnSync("python3", ["-c", PYTHON, impl, op, file, String(runs)], { encoding: "utf8", maxBuffer: 1 << 24 })
    : spawnSync(process.execPath, ["--max-old-space-size=8192", "--expose-gc", "--import", "tsx", fileURLToPath(import.meta.url), "--child", impl, op, file, String(runs)], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) return /^\w*Error: .*$/m.exec(r.stderr)?.[0] ?? r.error?.message ?? "failed";
  return JSON.parse(r.stdout.trim().split("\n").slice(-1)[0] as string) as Result;
}

export default async function bench(args: string[]): Promise<void> {
  const opt = (flag: string, dflt: number): number => {
    const i = args.indexOf(flag);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  const n = opt("--personalities", 50_000);
  const runs = opt("--runs", 5);
  // `--ops xml-parse,binary-parse` / `--impls iokit-ts,plistlib` run a subset of the table.
  const list = <T extends string>(flag: string, all: readonly T[]): readonly T[] => {
    const i = args.indexOf(flag);
    return i >= 0 ? all.filter((x) => (args[i + 1] ?? "").split(",").includes(x)) : all;
  };
  const ops = list("--ops", OPS);
  const impls = list("--impls", IMPLS);
  const doc = generateDocument(n);
  const dir = mkdtempSync(join(tmpdir(), "plist-bench-"));
  const xmlFile = join(dir, "doc.xml");
  const binFile = join(dir, "doc.bplist");
  writeFileSync(xmlFile, writeXMLPlist(doc));
  const bin = writeBinaryPlist(doc);
  writeFileSync(binFile, bin);
  const xmlSize = readFileSync(xmlFile).length;
  const objects = Number(new DataView(bin.buffer, bin.byteOffset).getBigUint64(bin.length - 24));
  const mb = (b: number): string => (b / 1e6).toFixed(1);
  process.stdout.write(`plist bench: ${n} personalities; XML ${mb(xmlSize)} MB; binary ${mb(bin.length)} MB, ${objects} objects; median of ${runs} runs\n`);
  process.stdout.write(`node ${process.version}; ${spawnSync("python3", ["--version"], { encoding: "utf8" }).stdout.trim()}\n\n`);
  process.stdout.write(`| operation | implementation | wall time | CPU time | throughput (wall) | peak memory (× input) | retained after GC (× input) |\n|---|---|---|---|---|---|---|\n`);
  const table = new Map<string, Result | string>();
  for (const op of ops) {
    // Write operations start from the XML document's value (read untimed), so every
    // implementation writes the same value even where it cannot read the binary file.
    const file = op === "binary-parse" ? binFile : xmlFile;
    const size = op.startsWith("xml") ? xmlSize : bin.length;
    for (const impl of impls) {
      const r = measure(impl, op, file, runs);
      table.set(`${op}/${impl}`, r);
      const row = typeof r === "string"
        ? `| ${op} | ${impl} | failed: ${r} | | | | |`
        : `| ${op} | ${impl} | ${r.ms.toFixed(0)} ms | ${r.cpuMs.toFixed(0)} ms | ${(size / 1e6 / (r.ms / 1000)).toFixed(1)} MB/s | ${mb(r.peakBytes)} MB (${(r.peakBytes / size).toFixed(1)}×) | ${r.retainedBytes === undefined ? "—" : `${mb(r.retainedBytes)} MB (${(r.retainedBytes / size).toFixed(1)}×)`} |`;
      process.stdout.write(`${row}\n`);
    }
  }
  const ratio = (op: Op): string => {
    const a = table.get(`${op}/iokit-ts`);
    const b = table.get(`${op}/plistlib`);
    return typeof a === "object" && typeof b === "object" ? `${(b.ms / a.ms).toFixed(1)}× wall, ${(b.cpuMs / a.cpuMs).toFixed(1)}× CPU` : "n/a";
  };
  const bw = table.get("binary-write/iokit-ts");
  process.stdout.write(`\nvs plistlib: XML parse ${ratio("xml-parse")} (target ≥ 3×), binary parse ${ratio("binary-parse")} (target ≥ 10×), ` +
    `XML write ${ratio("xml-write")}, binary write ${ratio("binary-write")}; binary write of ${objects} objects: ${typeof bw === "object" ? `${bw.ms.toFixed(0)} ms` : "n/a"} (target < 1 s)\n`);
}

if (process.argv.includes("--child")) {
  const [impl, op, file, runs] = process.argv.slice(process.argv.indexOf("--child") + 1);
  const r = await childRun(impl as Impl, op as Op, file as string, Number(runs));
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
