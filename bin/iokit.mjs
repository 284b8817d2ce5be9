#!/usr/bin/env node
// Entry point of the `iokit` CLI. Runs the bundle built by `npm install` (scripts/build.mjs); with
// IOKIT_DEV=1, runs the TypeScript sources directly through tsx instead.
import { existsSync } from "node:fs";
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
  const { runProcess } = await import(bundle);
  await runProcess();
}
