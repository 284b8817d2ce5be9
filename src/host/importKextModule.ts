/**
 * The Node {@link KextModuleLoader}: imports a kext's JavaScript executable
 * (`Contents/MacOS/<name>.mjs`) as an ES module, by file URL.
 *
 * Per-kernel code. What must be fresh for each kernel (and each reload) is the kext's linkage: the
 * runtime calls the module's `defineClasses(kpi)` on every load, and `iokit kextbuild` puts the
 * whole kext body inside that function (a CommonJS-style body wrapped in it), so every link runs
 * the kext's top level again and makes new classes. The module record itself is imported once per
 * process and shared: Node's ES module loader never frees a module record, so importing under a new
 * specifier per load would grow the heap without bound (measured: about 25 KB per import of a
 * sample, see docs/benchmarks.md), while one shared record keeps 3,000 load/unload rounds flat.
 *
 * A rebuilt executable is imported afresh: the specifier carries the file's size and mtime, so
 * `kextunload`, `kextbuild`, `kextload` runs the new code (one module record per version).
 */
import { statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { KextModuleLoader, OSKext } from "../kext/index.ts";

export const importKextModule: KextModuleLoader = async (kext) => {
  const exe = kext.executable;
  if (exe === undefined || !exe.found) throw new Error(`${kext.path} has no executable`);
  const path = join(isAbsolute(kext.path) ? kext.path : resolve(kext.path), exe.relativePath);
  const st = statSync(path);
  return (await import(`${pathToFileURL(path).href}?v=${st.size}-${st.mtimeMs}`)) as Record<string, unknown>;
};

/**
 * Imports every JavaScript executable of `kexts` at once (errors are left for the load to report):
 * a boot loads kexts one after another, and each import is file I/O plus compilation, so fetching
 * them in parallel first makes the boot wait for the slowest import instead of their sum. Only the
 * module records are made; linking (`defineClasses`) still happens per load.
 */
export async function prefetchKextModules(kexts: readonly OSKext[]): Promise<void> {
  await Promise.all(kexts.filter((k) => k.executable?.found === true && k.executable.kind === "javascript").map((k) => importKextModule(k).catch(() => undefined)));
}
