import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { captureIO } from "../ToolIO.ts";
import { main as kextutil } from "../kextutil/main.ts";
import { main } from "./main.ts";

const root = join(import.meta.dirname, "../../..");

describe("iokit kextbuild", () => {
  it("builds a sample that kextutil -tn then accepts against the built families", async () => {
    const out = mkdtempSync(join(tmpdir(), "kb-"));
    const io = captureIO({ cwd: root });
    expect(await main(["-o", out, "samples/AppleSamplePCI", "kexts/IOPCIFamily"], io)).toBe(0);
    expect(io.out()).toContain(`${join(out, "AppleSamplePCI.kext")} (com.example.driver.AppleSamplePCI)`);
    const k = captureIO({ cwd: root });
    expect(await kextutil(["-t", "-n", "-e", "-z", "-r", out, "-r", join(root, "kexts"), join(out, "AppleSamplePCI.kext")], k)).toBe(0);
    expect(k.err()).toContain("appears to be loadable");
  });

  it("reports usage errors and bad projects with Apple-style exit codes", async () => {
    const io = captureIO({ cwd: root });
    expect(await main([], io)).toBe(64);
    expect(await main(["-D", "nonsense", "samples/AppleSamplePCI"], captureIO({ cwd: root }))).toBe(64);
    const bad = captureIO({ cwd: root });
    expect(await main(["-o", mkdtempSync(join(tmpdir(), "kb-")), "-D", "PRODUCT_BUNDLE_IDENTIFIER=$(MISSING)", "samples/AppleSamplePCI"], bad)).toBe(1);
    expect(bad.err()).toMatch(/^kextbuild: .*: unknown build variable \$\(MISSING\)\n$/);
  });
});
