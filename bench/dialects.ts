/**
 * `npm run bench -- dialects [corpusDir]`: throughput of the kernel dialects and of reading
 * IORegistryExplorer saves.
 *
 * The value is the properties of every IOService-plane entry of the largest `.ioreg` save in the
 * corpus (a real registry), or a synthetic registry-like dictionary when the corpus is absent. It
 * is written and read back as kernel XML (OSSerialize / OSUnserializeXML), IOCFSerialize XML and the
 * kernel binary format. There is no npm peer for these dialects; for scale, the last figure is the
 * whole `.ioreg` read, which parses every entry's CF XML properties with plist-core's reader.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Bench } from "tinybench";
import {
  readIORegistryExplorerSave, serializeBinary, serializeIOCFXML, serializeKernelXML, unserializeBinary, unserializeXML,
  type IORegExplorerNode,
} from "../src/formats/index.ts";
import { dict, num, type OSValue } from "../src/libkern/index.ts";

function registryValue(corpus: string): { value: OSValue; save?: Uint8Array; label: string } {
  const dir = join(corpus, "B_ioreg/real-mac-intel-ioregexplorer");
  if (existsSync(dir)) {
    const files = readdirSync(dir).filter((f) => f.endsWith("IORegistryExplorer.ioreg"))
      .map((f) => join(dir, f)).map((f) => ({ f, b: readFileSync(f) })).sort((a, b) => b.b.length - a.b.length);
    const biggest = files[0];
    if (biggest) {
      const root = readIORegistryExplorerSave(biggest.b);
      const all: OSValue[] = [];
      const seen = new Set<IORegExplorerNode>();
      const stack = [root];
      while (stack.length) {
        const n = stack.pop() as IORegExplorerNode;
        if (seen.has(n)) continue;
        seen.add(n);
        all.push(dict({ name: n.name, class: n.className, properties: n.properties }));
        stack.push(...n.children);
      }
      return { value: all, save: biggest.b, label: `${seen.size} entries of ${biggest.f.split("/").pop()}` };
    }
  }
  const all = Array.from({ length: 1000 }, (_, i) => dict({ name: `entry${i}`, IOProbeScore: num(i, 32), data: Uint8Array.of(1, 2, 3), flags: [true, false] }));
  return { value: all, label: "1000 synthetic entries" };
}

export default async function (args: string[]): Promise<void> {
  const corpus = args[0] ?? process.env.IOKIT_CORPUS ?? join(process.cwd(), "../shared/corpus");
  const { value, save, label } = registryValue(corpus);
  const kernelXML = serializeKernelXML(value);
  const iocfXML = serializeIOCFXML(value);
  const binary = serializeBinary(value);
  process.stdout.write(`value: ${label}; kernel XML ${kernelXML.length} B, IOCF XML ${iocfXML.length} B, binary ${binary.length} B\n`);

  const unlimited = { maxObjects: Infinity, maxReferences: Infinity };
  const bench = new Bench({ time: 1000 });
  bench
    .add("serializeKernelXML", () => { serializeKernelXML(value); })
    // The real registry holds more objects than the kernel's 131071 limit allows in one buffer.
    .add("unserializeXML (kernel XML)", () => { unserializeXML(kernelXML, unlimited); })
    .add("serializeIOCFXML", () => { serializeIOCFXML(value); })
    .add("unserializeXML (IOCF XML)", () => { unserializeXML(iocfXML, unlimited); })
    .add("serializeBinary", () => { serializeBinary(value); })
    .add("unserializeBinary", () => { unserializeBinary(binary); });
  if (save) bench.add("readIORegistryExplorerSave", () => { readIORegistryExplorerSave(save); });
  await bench.run();
  for (const t of bench.tasks) {
    const r = t.result as { latency?: { mean: number }; mean?: number } | undefined;
    const mean = r?.latency?.mean ?? r?.mean ?? Number.NaN;
    process.stdout.write(`${t.name.padEnd(32)} ${mean.toFixed(2).padStart(10)} ms/op\n`);
  }
}
