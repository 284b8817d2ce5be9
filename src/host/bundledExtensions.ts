/**
 * The kext projects that ship with iokit-ts (`kexts/*`: the families; `samples/*`: the sample
 * drivers) and a one-call build of all of them into an extensions folder — what `npm run build`
 * does through `iokit kextbuild`, and what tests and benchmarks use to get a fresh folder.
 */
import { cpSync, existsSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
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

/** Prebuilt `.kext` bundles shipped in `kexts/` (KPI pseudo-kexts, the user-client sample). */
export function prebuiltKexts(): string[] {
  const dir = join(dirname(defaultKpiRoot()), "kexts");
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith(".kext")).sort().map((n) => join(dir, n)) : [];
}

/** Builds every bundled project into `outDir` and copies the prebuilt kexts; returns the bundle paths. */
export async function buildBundledExtensions(outDir: string): Promise<string[]> {
  const results = await Promise.all(bundledKextProjects().map((p) => buildKext(p, { outDir })));
  const copied = prebuiltKexts().map((src) => {
    const to = join(outDir, basename(src));
    cpSync(src, to, { recursive: true });
    return to;
  });
  return [...results.map((r) => r.bundlePath), ...copied];
}
