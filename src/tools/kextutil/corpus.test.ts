/**
 * Fidelity on real inputs: every kext Info.plist in the corpus, wrapped in a bundle, gets a verdict
 * from `kextutil -t -n -r REPO --kernel-version 18.7.0`, where REPO holds the corpus's Apple kexts
 * (families and xnu's pseudo-kexts).
 */
import { describe, expect, it } from "vitest";
import { parseXMLPlist } from "../../formats/index.ts";
import { findBuildVariables } from "../../kext/index.ts";
import { wrapCorpusKexts } from "../../../test/support/kextCorpus.ts";
import { captureIO } from "../ToolIO.ts";
import { main } from "./main.ts";
import { readFileSync } from "node:fs";

const corpus = wrapCorpusKexts();

/** True when a key the loader needs holds an Xcode build variable. */
function hasBuildVariables(plist: string): boolean {
  const info = parseXMLPlist(new Uint8Array(readFileSync(plist))) as Map<string, unknown>;
  const values: unknown[] = ["CFBundleIdentifier", "CFBundleVersion", "OSBundleCompatibleVersion", "CFBundleExecutable", "CFBundlePackageType"].map((k) => info.get(k));
  const libs = info.get("OSBundleLibraries");
  if (libs instanceof Map) for (const [k, v] of libs) values.push(k, v);
  return values.some((v) => typeof v === "string" && findBuildVariables(v).length > 0);
}

describe.skipIf(corpus === undefined)("kextutil on the corpus (A_kext_infoplists)", () => {
  it("gives every plist a verdict: exit 0 or 4, never a crash; build-variable plists are never loadable", async () => {
    const c = corpus!;
    let loadable = 0;
    let buildVars = 0;
    for (const k of c.kexts) {
      const io = captureIO();
      const status = await main(["-t", "-n", "-e", "-r", c.repo, "--kernel-version", "18.7.0", k.bundle], io);
      const err = io.err();
      expect([0, 4], `${k.plist}\n${err}`).toContain(status);
      expect(err).not.toMatch(/internal error|TypeError|RangeError/);
      if (status === 0) {
        loadable++;
        expect(err).toContain(`${k.bundle} appears to be loadable`);
      } else {
        expect(err).toContain(`Diagnostics for ${k.bundle}:`);
      }
      if (hasBuildVariables(k.plist)) {
        buildVars++;
        expect(status, k.plist).toBe(4);
        expect(err).not.toContain("appears to be loadable");
        expect(err).toContain("unexpanded build variable");
      }
    }
    expect(loadable).toBeGreaterThan(0);
    expect(buildVars).toBeGreaterThan(0);
  });

  it("resolves every com.apple.kpi.* library of the shipped kexts in built-efi/", async () => {
    const c = corpus!;
    const shipped = c.kexts.filter((k) => k.group === "built-efi");
    expect(shipped.length).toBeGreaterThan(0);
    for (const k of shipped) {
      const io = captureIO();
      await main(["-t", "-n", "-e", "-z", "-r", c.repo, "--kernel-version", "18.7.0", k.bundle], io);
      // Subjects under dependency messages are library identifiers: none may be a KPI.
      const dependencySection = io.err().split("\n\n").find((s) => s.includes("Dependency Resolution Failures")) ?? "";
      expect(dependencySection, k.plist).not.toMatch(/^ {8}com\.apple\.kpi\./m);
    }
  });
});
