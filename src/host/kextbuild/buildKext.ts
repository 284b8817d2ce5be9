/**
 * `buildKext`: a TypeScript driver project → a `.kext` bundle, our counterpart of Xcode's kext
 * target. The project folder holds `project.xcconfig` (build settings: `PRODUCT_NAME`,
 * `PRODUCT_BUNDLE_IDENTIFIER`, `MODULE_VERSION`, `KEXT_SOURCE` — the entry file, default
 * `main.ts`), an `Info.plist` template with `$(VARIABLE)` references, and the sources. Output:
 * `<out>/<PRODUCT_NAME>.kext/Contents/Info.plist` (Apple XML via formats/plist's writer, with
 * `CFBundleExecutable`, `CFBundlePackageType` = KEXT and the settings filled in) and
 * `Contents/MacOS/<PRODUCT_NAME>.mjs`, bundled by esbuild.
 *
 * Linkage: the kernel API is not bundled. Imports of iokit-ts itself — the bare specifiers
 * `@iokit/kpi` / `iokit-ts`, or any path into the iokit-ts `src/` tree — become the `kpi` object the
 * kernel passes to the kext's `defineClasses(kpi)`. The bundle is a CommonJS body wrapped in that
 * function, so the kext's top level (class declarations extending `IOService`, …) runs at link
 * time with the kernel's own classes, and its exports become the kext's classes.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { build, type Plugin } from "esbuild";
import { isOSDictionary, type OSDictionary } from "../../libkern/index.ts";
import { parseXMLPlist, writeXMLPlist } from "../../formats/index.ts";
import { BuildSettingsError, expandBuildVariables, parseXcconfig } from "./expandBuildVariables.ts";

export { BuildSettingsError };

export interface KextBuildOptions {
  /** Output folder (the `.kext` goes inside). */
  readonly outDir: string;
  /** Settings overriding the project file (`-D NAME=value`). */
  readonly settings?: ReadonlyMap<string, string>;
  /** The iokit-ts source tree whose files are linked, not bundled (default: found from this module). */
  readonly kpiRoot?: string;
  readonly minify?: boolean;
}

export interface KextBuildResult {
  readonly bundlePath: string;
  readonly bundleIdentifier: string;
  readonly executable: string | undefined;
  readonly bytes: number;
}

export const KPI_SPECIFIERS = new Set(["@iokit/kpi", "iokit-ts", "iokit-ts/kpi"]);

/** The `src/` folder of the iokit-ts installation this code runs from. */
export function defaultKpiRoot(): string {
  let dir = dirname(new URL(import.meta.url).pathname);
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "src", "kernel"))) return join(dir, "src");
    dir = dirname(dir);
  }
  return resolve("src");
}

function kpiPlugin(kpiRoot: string, projectDir: string): Plugin {
  const root = kpiRoot.endsWith(sep) ? kpiRoot : kpiRoot + sep;
  return {
    name: "iokit-kpi",
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (KPI_SPECIFIERS.has(args.path)) return { path: "@iokit/kpi", external: true };
        if (!args.path.startsWith(".") && !args.path.startsWith("/")) return undefined;
        const full = resolve(args.resolveDir, args.path);
        if (full.startsWith(root) && !full.startsWith(projectDir + sep)) return { path: "@iokit/kpi", external: true };
        return undefined;
      });
    },
  };
}

/** Builds the project in `projectDir`. @throws {BuildSettingsError} or esbuild's error on bad input. */
export async function buildKext(projectDir: string, options: KextBuildOptions): Promise<KextBuildResult> {
  const dir = resolve(projectDir);
  const projectFile = join(dir, "project.xcconfig");
  const defaults = new Map<string, string>([["PRODUCT_NAME", basename(dir)], ["MODULE_VERSION", "1.0.0"], ["KEXT_SOURCE", "main.ts"], ["TARGET_NAME", basename(dir)]]);
  let settings = existsSync(projectFile) ? parseXcconfig(readFileSync(projectFile, "utf8"), projectFile, defaults) : defaults;
  for (const [k, v] of options.settings ?? []) settings.set(k, expandBuildVariables(v, settings, `-D ${k}`));
  settings = new Map(settings);
  settings.set("EXECUTABLE_NAME", `${settings.get("PRODUCT_NAME")}.mjs`);
  const name = settings.get("PRODUCT_NAME") as string;
  const plistPath = join(dir, "Info.plist");
  if (!existsSync(plistPath)) throw new BuildSettingsError(plistPath, 1, "the project has no Info.plist template");
  const info = parseXMLPlist(expandBuildVariables(readFileSync(plistPath, "utf8"), settings, plistPath));
  if (!isOSDictionary(info)) throw new BuildSettingsError(plistPath, 1, "Info.plist's root is not a dictionary");
  const source = join(dir, settings.get("KEXT_SOURCE") as string);
  const hasCode = existsSync(source) && settings.get("KEXT_SOURCE") !== "";
  const bundle = join(resolve(options.outDir), `${name}.kext`);
  rmSync(bundle, { recursive: true, force: true });
  mkdirSync(join(bundle, "Contents"), { recursive: true });
  let bytes = 0;
  let executable: string | undefined;
  if (hasCode) {
    const r = await build({
      entryPoints: [source], bundle: true, format: "cjs", platform: "neutral", target: "es2022", write: false,
      minify: options.minify ?? false, logLevel: "silent", plugins: [kpiPlugin(options.kpiRoot ?? defaultKpiRoot(), dir)],
      mainFields: ["module", "main"],
    });
    const body = r.outputFiles[0]?.text ?? "";
    const text = `// ${name}.mjs — built by iokit kextbuild from ${basename(source)}. The kernel calls defineClasses(kpi) at link time.\n`
      + "export function defineClasses(kpi) {\n  const module = { exports: {} };\n"
      + "  const require = (id) => { if (id === \"@iokit/kpi\") return kpi; throw new Error(`kext requires unknown module ${id}`); };\n"
      + `  (function (module, exports, require) {\n${body}\n  })(module, module.exports, require);\n  return module.exports;\n}\n`;
    executable = `${name}.mjs`;
    mkdirSync(join(bundle, "Contents", "MacOS"), { recursive: true });
    writeFileSync(join(bundle, "Contents", "MacOS", executable), text);
    bytes = text.length;
  }
  const plist: OSDictionary = new Map(info);
  if (executable !== undefined) plist.set("CFBundleExecutable", executable);
  else plist.delete("CFBundleExecutable");
  if (!plist.has("CFBundlePackageType")) plist.set("CFBundlePackageType", "KEXT");
  writeFileSync(join(bundle, "Contents", "Info.plist"), writeXMLPlist(plist));
  const id = plist.get("CFBundleIdentifier");
  return { bundlePath: bundle, bundleIdentifier: typeof id === "string" ? id : "", executable, bytes };
}
