/**
 * Access to the real-world corpus in ../shared/corpus (beside every checkout and in CI). Tests that
 * use it call {@link corpusDir}; when the corpus is absent they skip and say why.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** The corpus directory, or undefined (with a message on stderr once) when it is absent. */
export function corpusDir(): string | undefined {
  const dir = process.env.IOKIT_CORPUS ?? resolve(ROOT, "../shared/corpus");
  if (existsSync(dir)) return dir;
  if (!warned) {
    warned = true;
    process.stderr.write(`corpus not found at ${dir}: corpus tests are skipped (set IOKIT_CORPUS to point at it)\n`);
  }
  return undefined;
}
let warned = false;

/** Every file under `sub` of the corpus, recursively, sorted; [] when the corpus is absent. */
export function corpusFiles(sub: string, filter: (path: string) => boolean = () => true): string[] {
  const dir = corpusDir();
  if (dir === undefined) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (filter(p)) out.push(p);
    }
  };
  const base = join(dir, sub);
  if (existsSync(base)) walk(base);
  return out;
}

/** The repository root. */
export const repoRoot = ROOT;
