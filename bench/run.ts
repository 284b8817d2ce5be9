/**
 * `npm run bench -- NAME [args…]`: runs bench/NAME.ts, whose default export prints its figures.
 * Benchmarks are never part of the test run; record their figures in docs/benchmarks.md.
 */
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const [name, ...args] = process.argv.slice(2);
const available = readdirSync(fileURLToPath(new URL(".", import.meta.url)))
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_"))
  .map((f) => f.slice(0, -3));
if (name === undefined || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <${available.join("|")}> [args]\n`);
  process.exit(64);
}
const mod = (await import(`./${name}.ts`)) as { default: (args: string[]) => Promise<void> };
await mod.default(args);
