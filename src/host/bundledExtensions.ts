/**
 * The kext projects that ship with iokit-ts (`kexts/*`: the families; `samples/*`: the sample
 * drivers) and a one-call build of all of them into an extensions folder — what `npm run build`
 * does through `iokit kextbuild`, and what tests and benchmarks use to get a fresh folder.
 */
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { buildKext, defaultKpiRoot } from "./kextbuild/index.ts";

/** Project folders under `kexts/` and `samples/` of this installation. */
export function bundledKextProjects(): string[] {
  const root = dirname(defaultKpiRoot());
  const out: string[] = [];
  for (const group of ["kexts", "samples"]) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) if (existsSync(join(dir, name, "Info.plist"))) out.push(join(dir, name));
  }
  return out;
}

/** Builds every bundled project into `outDir`; returns the bundle paths. */
export async function buildBundledExtensions(outDir: string): Promise<string[]> {
  const results = await Promise.all(bundledKextProjects().map((p) => buildKext(p, { outDir })));
  return results.map((r) => r.bundlePath);
}
