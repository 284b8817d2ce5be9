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
  // folder), which halves the cost of loading a tool's code; Node 20 has no such cache.
  nodeModule.enableCompileCache?.();
  // `iokit <tool>` starts the tool's own one-file bundle (dist/tools/<tool>.mjs: the tool plus the
  // CLI's error handling), which loads faster than the CLI bundle's entry and shared chunks.
  const name = process.argv[2];
  const tool = name !== undefined && /^[\w+.-]+$/.test(name) && !name.startsWith(".")
    ? fileURLToPath(new URL(`../dist/tools/${name}.mjs`, import.meta.url)) : undefined;
  if (tool !== undefined && existsSync(tool)) {
    await import(tool);
  } else {
    const { runProcess } = await import(bundle);
    await runProcess();
  }
}
