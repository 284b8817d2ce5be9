/**
 * Test support: the bundled kext projects built once per test process into a temporary folder
 * (removed at exit), so tests boot exactly what `npm run build` ships.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBundledExtensions } from "./bundledExtensions.ts";

let built: Promise<string> | undefined;

/** The folder holding freshly built bundled extensions. */
export function testExtensions(): Promise<string> {
  built ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "iokit-ext-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    await buildBundledExtensions(dir);
    return dir;
  })();
  return built;
}
