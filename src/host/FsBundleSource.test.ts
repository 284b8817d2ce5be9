import { spawnSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readKext, validateKext } from "../kext/index.ts";
import { machOHeader, tempDir } from "../../test/support/kextFixtures.ts";
import { FsBundleSource } from "./index.ts";

const hasPython = spawnSync("python3", ["-c", "import plistlib"]).status === 0;

describe("FsBundleSource", () => {
  it.skipIf(!hasPython)("reads a binary Info.plist written by python3 plistlib", async () => {
    const kext = join(tempDir(), "Bin.kext");
    mkdirSync(join(kext, "Contents", "MacOS"), { recursive: true });
    writeFileSync(join(kext, "Contents", "MacOS", "Bin"), machOHeader());
    const r = spawnSync("python3", ["-c", `
import plistlib, sys
d = {"CFBundleIdentifier": "com.example.Bin", "CFBundlePackageType": "KEXT", "CFBundleVersion": "1.2.3",
     "CFBundleExecutable": "Bin", "OSBundleLibraries": {"com.apple.kpi.libkern": "9.0"}}
open(sys.argv[1], "wb").write(plistlib.dumps(d, fmt=plistlib.FMT_BINARY))
`, join(kext, "Contents", "Info.plist")]);
    expect(r.status).toBe(0);
    const k = await readKext(new FsBundleSource(), kext);
    expect(k.bundleID).toBe("com.example.Bin");
    expect(validateKext(k).filter((d) => d.category === "validation")).toEqual([]);
  });
  it("reports symlinks without following them, and owner/mode from lstat", async () => {
    const kext = join(tempDir(), "Link.kext");
    mkdirSync(join(kext, "Contents"), { recursive: true });
    writeFileSync(join(kext, "Contents", "Info.plist"), "<plist><dict/></plist>");
    symlinkSync(kext, join(kext, "Contents", "Loop"));
    const k = await readKext(new FsBundleSource(), kext);
    expect(k.files.find((f) => f.relativePath === "Contents/Loop")?.stat.type).toBe("symlink");
    expect(k.files.find((f) => f.relativePath === "Contents/Info.plist")?.stat.mode).toBe(0o644);
    expect(validateKext(k).map((d) => d.subject)).toContain("Contents/Loop");
  });
});
