import { describe, expect, it } from "vitest";
import { machOFixtures } from "../../../test/support/machoFixtures.ts";
import { captureIO } from "../ToolIO.ts";
import { main } from "./main.ts";

const fx = machOFixtures();

async function run(args: string[]): Promise<{ out: string; err: string; status: number }> {
  const io = captureIO({ cwd: fx!.dir });
  const status = await main(args, io);
  return { out: io.out(), err: io.err(), status };
}

describe.skipIf(fx === undefined)("iokit codesign", () => {
  it("-dvvv prints codesign's lines for a linker-signed dylib", async () => {
    const r = await run(["-dvvv", "libdemo_arm64.dylib"]);
    expect(r.status).toBe(0);
    const lines = r.err.split("\n");
    expect(lines[0]).toBe(`Executable=${fx!.dir}/libdemo_arm64.dylib`);
    expect(lines).toContain("Identifier=libdemo_arm64.dylib");
    expect(lines).toContain("Format=Mach-O thin (arm64)");
    expect(lines.find((l) => l.startsWith("CodeDirectory "))).toMatch(/^CodeDirectory v=20400 size=\d+ flags=0x20002\(adhoc,linker-signed\) hashes=\d+\+0 location=embedded$/);
    expect(lines).toContain("Hash type=sha256 size=32");
    expect(lines).toContain("Signature=adhoc");
    expect(lines).toContain("TeamIdentifier=not set");
    expect(lines.find((l) => l.startsWith("CDHash="))).toMatch(/^CDHash=[0-9a-f]{40}$/);
    expect(lines.find((l) => l.startsWith("Page hashes="))).toMatch(/^Page hashes=(\d+) of \1 match$/);
  });

  it("shows a universal file's format and the chosen slice", async () => {
    const r = await run(["-dv", "--arch", "arm64", "libdemo_fat.dylib"]);
    expect(r.err).toContain("Format=Mach-O universal (x86_64 arm64)");
    expect(r.err).toContain("Identifier=libdemo_arm64.dylib");
  });

  it("-v reports the modified page of a patched kext and exits 1", async () => {
    const bad = await run(["-v", "demo_arm64.kext"]);
    expect(bad.status).toBe(1);
    expect(bad.err).toBe("demo_arm64.kext: invalid signature (code or signature have been modified)\n  page 0 (offset 0): hash does not match the CodeDirectory\n");
    const good = await run(["-vv", "demo_arm64.bundle"]);
    expect(good.status).toBe(0);
    expect(good.err).toBe("demo_arm64.bundle: valid on disk\n");
  });

  it("says when a file is not signed", async () => {
    const r = await run(["-dv", "a_arm64.o"]);
    expect(r.status).toBe(1);
    expect(r.err).toBe("a_arm64.o: code object is not signed at all\n");
  });
});
