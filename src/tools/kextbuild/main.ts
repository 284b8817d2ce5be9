/**
 * `iokit kextbuild [-o DIR] [-D NAME=VALUE]… [-q] PROJECT…`: builds TypeScript driver projects into
 * `.kext` bundles (see `buildKext` in src/host and docs/kext.md) — iokit-ts's counterpart of
 * Xcode's kext target. Each project folder holds `project.xcconfig`, an `Info.plist` template and
 * the sources. Prints one `PATH (BUNDLE-ID)` line per built kext. Exit codes: 0 built, 1 a project
 * failed (one line naming the file and line, or esbuild's first error), 64 usage.
 */
import { resolve } from "node:path";
import { buildKext, BuildSettingsError } from "../../host/index.ts";
import { GetoptError, getopt } from "../getopt.ts";
import type { ToolIO } from "../ToolIO.ts";

export const summary = "build TypeScript driver projects into .kext bundles (Xcode's kext target)";

const USAGE = `usage: iokit kextbuild [-o output-dir] [-D NAME=VALUE]... [-q] project-dir...
  -o DIR         write the .kext bundles into DIR (default: build)
  -D NAME=VALUE  set a build setting (overrides project.xcconfig), e.g. -D MODULE_VERSION=1.0.1
  -q             print nothing on success
`;

/** esbuild's failure: keep the first message with its location. */
function describeError(e: unknown): string {
  const errs = (e as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }).errors;
  const first = errs?.[0];
  if (first) return first.location ? `${first.location.file}:${first.location.line}:${first.location.column}: ${first.text}` : first.text;
  return e instanceof Error ? e.message : String(e);
}

export async function main(argv: string[], io: ToolIO): Promise<number> {
  let parsed;
  try {
    parsed = getopt(argv, { short: "o:D:qh", long: [{ name: "help", hasArg: "none", id: "h" }] }, "kextbuild");
  } catch (e) {
    io.stderr(`${e instanceof GetoptError ? e.message : String(e)}\n${USAGE}`);
    return 64;
  }
  let out = "build";
  let quiet = false;
  const settings = new Map<string, string>();
  for (const o of parsed.options) {
    if (o.id === "h") { io.stdout(USAGE); return 0; }
    if (o.id === "o") out = o.value ?? out;
    if (o.id === "q") quiet = true;
    if (o.id === "D") {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(o.value ?? "");
      if (!m) { io.stderr(`kextbuild: -D expects NAME=VALUE, got '${o.value ?? ""}'\n`); return 64; }
      settings.set(m[1] as string, m[2] as string);
    }
  }
  if (parsed.operands.length === 0) { io.stderr(USAGE); return 64; }
  let rc = 0;
  for (const p of parsed.operands) {
    try {
      const r = await buildKext(resolve(io.cwd, p), { outDir: resolve(io.cwd, out), settings });
      if (!quiet) io.stdout(`${r.bundlePath} (${r.bundleIdentifier})\n`);
    } catch (e) {
      io.stderr(`kextbuild: ${e instanceof BuildSettingsError ? e.message : describeError(e)}\n`);
      rc = 1;
    }
  }
  return rc;
}
