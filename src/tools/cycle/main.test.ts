import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { defaultMachine } from "../../drivers/index.ts";
import { writeXMLPlist } from "../../formats/index.ts";
import { buildKext } from "../../host/index.ts";
import type { OSValue } from "../../libkern/index.ts";
import { testExtensions } from "../../host/testExtensions.ts";
import { captureIO } from "../ToolIO.ts";
import { main } from "./main.ts";

const FAULTY_ID = "com.example.driver.NeverAcksPower";

/** A third-party kext whose driver acknowledges its first setPowerState and never another. */
async function faultyExtensions(): Promise<string> {
  const project = mkdtempSync(join(tmpdir(), "cycle-kext-"));
  writeFileSync(join(project, "project.xcconfig"), `PRODUCT_NAME = NeverAcksPower\nPRODUCT_BUNDLE_IDENTIFIER = ${FAULTY_ID}\nMODULE_VERSION = 1.0.0\nKEXT_SOURCE = NeverAcksPower.ts\n`);
  writeFileSync(join(project, "Info.plist"), `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
  <key>CFBundleExecutable</key><string>$(EXECUTABLE_NAME)</string>
  <key>CFBundleIdentifier</key><string>$(PRODUCT_BUNDLE_IDENTIFIER)</string>
  <key>CFBundleInfoDictionaryVersion</key><string>6.0</string>
  <key>CFBundleName</key><string>$(PRODUCT_NAME)</string>
  <key>CFBundlePackageType</key><string>KEXT</string>
  <key>CFBundleVersion</key><string>$(MODULE_VERSION)</string>
  <key>IOKitPersonalities</key><dict><key>NeverAcksPower</key><dict>
    <key>CFBundleIdentifier</key><string>$(PRODUCT_BUNDLE_IDENTIFIER)</string>
    <key>IOClass</key><string>NeverAcksPower</string>
    <key>IOMatchCategory</key><string>NeverAcksPower</string>
    <key>IOProviderClass</key><string>IOResources</string>
  </dict></dict>
  <key>OSBundleLibraries</key><dict><key>com.apple.kpi.iokit</key><string>8.0</string><key>com.apple.kpi.libkern</key><string>8.0</string></dict>
</dict></plist>
`);
  writeFileSync(join(project, "NeverAcksPower.ts"), `import { IOService, joinPowerTree, kOffOnPowerStates } from "@iokit/kpi";
export class NeverAcksPower extends IOService {
  calls = 0;
  override start(provider: IOService): boolean {
    if (!super.start(provider)) return false;
    joinPowerTree(this, provider, kOffOnPowerStates, 1);
    this.resources.defer(() => this.PMstop());
    this.registerService();
    return true;
  }
  // Promises an acknowledgement within 50 ms and, after the first (boot) change, never sends it.
  override setPowerState(): number {
    return this.calls++ === 0 ? 0 : 50_000;
  }
}
`);
  const out = join(mkdtempSync(join(tmpdir(), "cycle-ext-")), "Extensions");
  mkdirSync(out);
  await buildKext(project, { outDir: out });
  return out;
}

let bundled: string;
beforeAll(async () => {
  bundled = await testExtensions();
}, 120_000);

async function cycle(...argv: string[]) {
  const io = captureIO();
  const rc = await main(["sleep", ...argv], io);
  return { rc, out: io.out(), err: io.err() };
}

describe("iokit cycle sleep", () => {
  it("cycles the default machine: --json is exactly {cycles, failures, instanceDrift, virtualMs}, clean, exit 0", async () => {
    const { rc, out } = await cycle("--count", "3", "--json", "--extensions", bundled);
    const r = JSON.parse(out);
    expect(Object.keys(r)).toEqual(["cycles", "failures", "instanceDrift", "virtualMs"]);
    expect(r).toMatchObject({ cycles: 3, failures: [], instanceDrift: {} });
    expect(r.virtualMs).toBeGreaterThanOrEqual(3 * 1000); // 1 s asleep per cycle
    expect(r.virtualMs).toBeLessThan(3 * 1000 + 1000); // and the transitions themselves take ms, not seconds
    expect(rc).toBe(0);
  });

  it("the text report lists the families' and the samples' power-managed services", async () => {
    const { rc, out } = await cycle("--count", "2", "--extensions", bundled);
    expect(rc).toBe(0);
    expect(out.split("\n")[0]).toMatch(/^2\/2 sleep\/wake cycles of \d+ power-managed devices in 2\.\d{3} s of virtual time$/);
    expect(out).toContain("failures: 0\ninstance drift: none\n");
    for (const cls of ["IOPCIDevice", "AppleVirtualPCI", "AppleUSBXHCIPCI", "IOUSBHostDevice", "IOUSBHostHIDDevice", "AppleSamplePCI", "SampleHIDMouse", "SampleUSBCDCSerial", "SampleVirtualVolume"]) {
      expect(out).toMatch(new RegExp(`^  .+ {2}${cls} +\\d`, "m"));
    }
  });

  it("a kext that never acknowledges setPowerState is a failure named by its bundle id; the cycles go on", async () => {
    const faulty = await faultyExtensions();
    const { rc, out } = await cycle("--count", "2", "--json", "--extensions", bundled, "--extensions", faulty);
    const r = JSON.parse(out);
    expect(rc).toBe(1);
    expect(r.cycles).toBe(2);
    expect(r.instanceDrift).toEqual({});
    // One timeout per transition (sleep and wake of both cycles), all of them that driver's.
    const timeouts = r.failures.filter((f: { kind: string }) => f.kind === "ackTimeout");
    expect(timeouts.map((f: { cycle: number }) => f.cycle)).toEqual([1, 1, 2, 2]);
    for (const f of r.failures) expect(f).toMatchObject({ bundle: FAULTY_ID, service: "NeverAcksPower" });
    expect(timeouts[0].message).toMatch(/^NeverAcksPower::setPowerState\(0x[0-9a-f]+, 1 -> 0\) timed out after \d+ ms$/);
    // Apple's timeout: 50 ms promised is raised to 10 s and counted in 100 ms ticks (µs/100,000 + 1
    // = 101 ticks), so each unacknowledged change costs 10.1 s of virtual time.
    expect(r.virtualMs).toBeGreaterThanOrEqual(2 * 1000 + 4 * 10_100);
    expect(r.virtualMs).toBeLessThan(2 * 1000 + 4 * 10_100 + 100);
  }, 60_000);

  it("--machine FILE cycles that machine: without the USB devices, no IOUSBHostDevice takes part", async () => {
    const m = defaultMachine() as Map<string, OSValue>;
    for (const d of m.get("pci") as Map<string, OSValue>[]) d.delete("usb");
    const file = join(mkdtempSync(join(tmpdir(), "cycle-m-")), "NoUSB.plist");
    writeFileSync(file, writeXMLPlist(m));
    const { rc, out } = await cycle("--count", "2", "--machine", file, "--extensions", bundled);
    expect(rc).toBe(0);
    expect(out).toContain("failures: 0\ninstance drift: none\n");
    expect(out).toMatch(/ {2}AppleUSBXHCIPCI +\d/);
    expect(out).not.toMatch(/ {2}IOUSBHostDevice +\d/);
  });

  it("--devices N --seed S cycles a generated tree instead", async () => {
    const { rc, out } = await cycle("--count", "3", "--devices", "50", "--seed", "2", "--json");
    expect(JSON.parse(out)).toMatchObject({ cycles: 3, failures: [], instanceDrift: {} });
    expect(rc).toBe(0);
  });

  it("usage errors print one line and the usage, exit 64; a bad machine file is one line, exit 1", async () => {
    for (const argv of [[], ["--count", "x"], ["--count", "1", "--machine", "/nonexistent/m.plist"], ["--count", "1", "--seed", "3"], ["--count", "1", "--devices", "5", "--extensions", bundled]]) {
      const { rc, out, err } = await cycle(...argv);
      expect(rc).toBe(64);
      expect(err.split("\n")[0]).toMatch(/^iokit cycle: |^usage:/);
      expect(out).toBe("");
    }
    const io = captureIO();
    expect(await main(["wake", "--count", "1"], io)).toBe(64);
    const dir = mkdtempSync(join(tmpdir(), "cycle-m-"));
    writeFileSync(join(dir, "m.plist"), `<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>model</key><string>X</string><key>pci</key><array><dict><key>name</key><integer>3</integer></dict></array></dict></plist>\n`);
    const bad = await cycle("--count", "1", "--machine", join(dir, "m.plist"), "--extensions", bundled);
    expect(bad.rc).toBe(1);
    expect(bad.err.trimEnd().split("\n")).toHaveLength(1);
    expect(bad.err).toMatch(/^iokit cycle: .*m\.plist: /);
    expect((await cycle("--help")).out).toMatch(/--devices N +stress mode/);
  });
});
