// Bundles the CLI into dist/ with esbuild so that every `iokit` invocation starts fast: one ESM
// entry plus lazily loaded chunks, one per tool. Runs on `npm install` (prepare) and `npm test`.
import { build } from "esbuild";
import { readFileSync, rmSync } from "node:fs";
import { resolve } from "node:path";

// Our modules have no import-time side effects that another module relies on (the layer rules and
// house style forbid registration-by-import), so tell esbuild: it may then drop a whole module
// none of whose exports a tool uses, even when its top level builds tables (`new Map(...)`), which
// esbuild otherwise must assume has side effects. Without this, every tool that imports the
// formats barrel loaded every codec (plist, ioreg, archiver, demangler…): `iokit nm` parsed 333 KB.
// The one sanctioned exception is a module augmentation (`declare module "…"`): such a file installs
// methods on another module's class (IOService's power-management methods), so importing it for
// its effect alone must keep it in the bundle.
const augments = new Map();
const hasSideEffects = (path) => {
  if (!augments.has(path)) augments.set(path, /^declare module ["']/m.test(readFileSync(path, "utf8")));
  return augments.get(path);
};
const sideEffectFree = {
  name: "side-effect-free-sources",
  setup(b) {
    b.onResolve({ filter: /^\.\.?\/.*\.ts$/ }, (args) => {
      const path = resolve(args.resolveDir, args.path);
      return { path, sideEffects: hasSideEffects(path) };
    });
  },
};

const common = {
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outExtension: { ".js": ".mjs" },
  sourcemap: "linked",
  logLevel: "warning",
  // esbuild (used by `iokit kextbuild`) stays a runtime import: it is a native binary plus a CJS API.
  external: ["esbuild"],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
};

rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
// dist/iokit.mjs: the whole CLI (help, every tool through the registry, the programmatic API),
// one entry plus chunks shared between tools and loaded on demand.
await build({
  ...common,
  entryPoints: { iokit: "src/tools/index.ts" },
  outdir: "dist",
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  plugins: [sideEffectFree],
});

// dist/tools/<tool>.mjs: each tool with the CLI's error handling in ONE file, which bin/iokit.mjs
// imports directly for `iokit <tool>`. Node resolves, reads and links every module file separately
// (its ESM resolver alone costs ~1 ms a file when cold), so one file instead of six to eight
// chunks shortens every start; the tool's lazy imports are bundled into it too.
const registry = readFileSync(new URL("../src/tools/registry.ts", import.meta.url), "utf8");
const tools = [...registry.matchAll(/^\s*"?([\w+.-]+)"?: \(\) => import\("\.\/([\w+.-]+)\/main\.ts"\)/gm)].map((m) => ({ name: m[1], dir: m[2] }));
const toolEntries = {
  name: "tool-entries",
  setup(b) {
    b.onResolve({ filter: /^tool-entry:/ }, (args) => ({ path: args.path.slice("tool-entry:".length), namespace: "tool-entry" }));
    b.onLoad({ filter: /.*/, namespace: "tool-entry" }, (args) => {
      const t = tools.find((x) => x.name === args.path);
      return {
        resolveDir: resolve("src/tools"),
        loader: "ts",
        contents: `import * as tool from "./${t.dir}/main.ts";\nimport { runToolProcess } from "./runTool.ts";\nawait runToolProcess(${JSON.stringify(t.name)}, tool);\n`,
      };
    });
  },
};
await build({
  ...common,
  sourcemap: false,
  entryPoints: Object.fromEntries(tools.map((t) => [t.name, `tool-entry:${t.name}`])),
  outdir: "dist/tools",
  splitting: false,
  plugins: [toolEntries, sideEffectFree],
});

// The bundled extensions: the families (kexts/*) and the sample drivers (samples/*), each built
// by the freshly bundled CLI's `iokit kextbuild` into extensions/, which `iokit boot` loads.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
const projects = ["kexts", "samples"].flatMap((g) => (existsSync(g) ? readdirSync(g).sort().map((n) => `${g}/${n}`) : []))
  .filter((p) => existsSync(`${p}/Info.plist`));
rmSync(new URL("../extensions", import.meta.url), { recursive: true, force: true });
execFileSync(process.execPath, ["bin/iokit.mjs", "kextbuild", "-q", "-o", "extensions", ...projects], { stdio: "inherit" });
// Prebuilt bundles in kexts/ (the KPI pseudo-kexts, the user-client sample) are copied as they are.
import { cpSync } from "node:fs";
for (const name of readdirSync("kexts").filter((n) => n.endsWith(".kext"))) cpSync(`kexts/${name}`, `extensions/${name}`, { recursive: true });
