#!/usr/bin/env node
// Entry point of the `iokit` CLI. Runs the bundle built by `npm install` (scripts/build.mjs); with
// IOKIT_DEV=1, runs the TypeScript sources directly through tsx instead.
import { existsSync } from "node:fs";
import * as nodeModule from "node:module";
import { fileURLToPath } from "node:url";

const bundle = fileURLToPath(new URL("../dist/iokit.mjs", import.meta.url));
if (process.env.IOKIT_DEV === "1" || !existsSync(bundle)) {
  if (process.env.IOKIT_DEV !== "1") {
    process.stderr.write("iokit: dist/iokit.mjs is missing; run `npm install` or `npm run build` (running sources via tsx)\n");
  }
  const { register } = await import("tsx/esm/api");
  register();
  const { runProcess } = await import("../src/tools/cli.ts");
  await runProcess();
} else {
  // Node >= 22.1 keeps V8's compiled code for the bundle on disk (NODE_COMPILE_CACHE or the temp
  // folder), which halves the cost of loading a tool's chunks; Node 20 has no such cache.
  nodeModule.enableCompileCache?.();
  const { runProcess } = await import(bundle);
  await runProcess();
}
