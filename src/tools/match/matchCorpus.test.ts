/**
 * Replay against real Macs: every `ioreg -l` text dump of the IOService plane in the corpus
 * (B_ioreg) is replayed with the class table minus the facts only that dump shows. Asserted per
 * dump: at least 90% of the recorded attachments are reproduced, and at most 5% of the
 * predictions are spurious once the predictions of drivers that docs/divergences.md names as
 * decided inside their own probe() are set aside (those are also bounded).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { corpusFiles } from "../../../test/support/corpus.ts";
import { captureIO } from "../ToolIO.ts";
import { loadReplay, main } from "./main.ts";

/** Drivers whose own probe() rejects nubs that pass passive matching (docs/divergences.md). */
const PROBE_DECIDED = new Set([
  "AppleACPICPU", "AppleACPIEC", "NVKernel", "IOSCSIPeripheralDeviceNub", "BNBMouseDevice", "AppleHSBluetoothDevice",
  "AppleIntelPIIXPATA", "IOAHCISerialATAPI", "AppleAHCIDiskDriver", "SCSITaskUserClientIniter", "AudioAUUCDriver",
  "AppleGraphicsDevicePolicy",
]);

const dumps = corpusFiles("B_ioreg", (p) => {
  const head = readFileSync(p).subarray(0, 4096).toString("latin1");
  return head.includes("+-o ") && head.includes('" = ') && !/IODeviceTree/.test(p);
});

describe.skipIf(dumps.length === 0)("replay of real registry dumps", () => {
  let totalA = 0;
  let totalR = 0;
  for (const file of dumps) {
    it(file.split("/").slice(-2).join("/"), () => {
      const r = loadReplay(captureIO(), file, undefined, []);
      const rep = r.report;
      totalA += rep.attachments;
      totalR += rep.reproduced;
      expect(rep.attachments).toBeGreaterThan(0);
      expect(rep.reproduced / rep.attachments).toBeGreaterThanOrEqual(0.9);
      const unexplained = rep.spurious.filter((a) => !PROBE_DECIDED.has(a.class)).length;
      expect(unexplained / rep.predicted.length).toBeLessThanOrEqual(0.05);
      expect(rep.spurious.length / rep.predicted.length).toBeLessThanOrEqual(0.35);
      expect(rep.reproduced + rep.spurious.length).toBe(rep.predicted.length);
    });
  }
  it("reproduces at least 95% of all recorded attachments", () => {
    expect(totalR / totalA).toBeGreaterThanOrEqual(0.95);
  });
});

const plists = corpusFiles("A_kext_infoplists");

describe.skipIf(plists.length === 0)("iokit match check on real kext Info.plists", () => {
  it("reads every personality, finds no errors in shipped kexts, and names unexpanded build settings", async () => {
    const io = captureIO();
    const code = await main(["check", ...plists], io);
    expect(io.err()).toBe("");
    expect(code).toBe(0);
    const out = io.out();
    const counts = [...out.matchAll(/: (\d+) personalit/g)].map((m) => Number(m[1]));
    expect(counts.length).toBe(plists.length);
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(plists.length);
    // Source Info.plists keep $(PRODUCT_BUNDLE_IDENTIFIER): the check says so instead of matching it.
    const withVars = plists.filter((p) => /\$\(PRODUCT_BUNDLE_IDENTIFIER\)/.test(readFileSync(p, "latin1")) && /IOKitPersonalities/.test(readFileSync(p, "latin1")));
    if (withVars.length > 0) expect(out).toContain("unexpanded");
  });
});
