/**
 * A kext executable built by the real LLVM toolchain (clang-16 + ld64.lld-16, filetype patched to
 * MH_KEXT_BUNDLE) is kernel code to our inspection, its unprefixed globals are reported, and an
 * MH_BUNDLE (the same file unpatched) is not kernel code.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { inspectKextMachO } from "../kext/index.ts";
import { machOFixtures } from "../../test/support/machoFixtures.ts";

const fixtures = machOFixtures();

describe.skipIf(fixtures === undefined)("inspectKextMachO on toolchain-built binaries", () => {
  it("recognises kernel code per architecture and audits global symbols", () => {
    for (const arch of ["x86_64", "arm64"]) {
      const kext = inspectKextMachO(new Uint8Array(readFileSync(fixtures!.files[`demo_${arch}.kext`]!)), "com.example.driver.Demo");
      expect(kext.malformed).toBeUndefined();
      expect(kext.kextCodeArchs).toEqual([arch]);
      expect(kext.signature).toBe("present");
      expect(kext.symbolFindings.some((f) => f.includes("_counter"))).toBe(true);
      expect(kext.symbolFindings.some((f) => f.includes("_com_example_driver_start"))).toBe(false);
      const bundle = inspectKextMachO(new Uint8Array(readFileSync(fixtures!.files[`demo_${arch}.bundle`]!)), "com.example.driver.Demo");
      expect(bundle.kextCodeArchs).toEqual([]);
    }
  });
});
