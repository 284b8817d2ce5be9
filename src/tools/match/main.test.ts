import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { testDumpText, testMachine } from "../../kernel/catalogue/testDump.ts";
import { captureIO } from "../ToolIO.ts";
import { main } from "./main.ts";

let dir = "";
let dump = "";

const plist = (bundle: string, personalities: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
<key>CFBundleIdentifier</key><string>${bundle}</string>
<key>IOKitPersonalities</key><dict>${personalities}</dict>
</dict></plist>`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "iokit-match-"));
  dump = join(dir, "machine.txt");
  writeFileSync(dump, testDumpText(testMachine()));
});

async function run(...argv: string[]) {
  const io = captureIO({ cwd: dir });
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe("iokit match --replay", () => {
  it("prints the JSON report in the documented shape", async () => {
    const r = await run("--replay", dump, "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(["dump", "attachments", "reproduced", "missed", "spurious", "predicted"]);
    expect(j.dump).toBe(dump);
    expect(j.attachments).toBe(4);
    expect(j.reproduced).toBe(4);
    for (const p of j.predicted) {
      expect(Object.keys(p)).toEqual(["provider", "class", "bundle", "category"]);
      expect(p.provider).toMatch(/^0x[0-9a-f]+$/);
    }
    expect(j.spurious.map((a: { class: string }) => a.class)).toEqual(["Enet"]);
  });

  it("prints a text summary, and one line for a missing file", async () => {
    const ok = await run("--replay", dump);
    expect(ok.out).toMatch(/4 of 4 recorded attachments reproduced \(100\.0%\), 1 of 5 predictions spurious/);
    const bad = await run("--replay", join(dir, "nope.txt"));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^match: can't open ".*nope\.txt": ENOENT\n$/);
  });
});

describe("iokit match explain", () => {
  it("names the first failing key with expected and actual values", async () => {
    const r = await run("explain", "ETH1@2", "--import", dump);
    expect(r.code).toBe(0);
    expect(r.out).toContain("category IODefaultMatchCategory: Enet wins");
    expect(r.out).toMatch(/XHCI \(com\.example\.XHCI\): IOPCIClassMatch: expected "0x0c033000", actual "0x02000001"/);
  });

  it("explains a user's kext beside the system driver and the dump's own drivers, as JSON too", async () => {
    const kext = join(dir, "Beside.kext", "Contents");
    mkdirSync(kext, { recursive: true });
    writeFileSync(join(kext, "Info.plist"), plist("com.user.beside", `
      <key>Beside</key><dict><key>IOClass</key><string>UserEnet</string><key>IOProviderClass</key><string>IOPCIDevice</string>
      <key>IOPCIMatch</key><string>0x168414e4</string><key>IOMatchCategory</key><string>UserEnet</string></dict>`));
    const r = await run("explain", "ETH0@1", "--import", dump, "--kext", join(dir, "Beside.kext"));
    expect(r.out).toContain("IOMatchCategory 'UserEnet' set: this driver will load beside the system driver instead of replacing it");
    const j = JSON.parse((await run("explain", "ETH0@1", "--import", dump, "--kext", join(dir, "Beside.kext"), "--json")).out);
    expect(j.winners).toEqual({ IODefaultMatchCategory: "Enet", UserEnet: "UserEnet" });
    expect(j.candidates.find((c: { class: string }) => c.class === "XHCI").failure.key).toBe("IOPCIClassMatch");
  });

  it("says when an IOResources personality without IOMatchCategory takes the default category", async () => {
    const kext = join(dir, "Greedy.plist");
    writeFileSync(kext, plist("com.user.greedy", `
      <key>A</key><dict><key>IOClass</key><string>GreedyA</string><key>IOProviderClass</key><string>IOResources</string><key>IOProbeScore</key><integer>5</integer></dict>
      <key>B</key><dict><key>IOClass</key><string>PoliteB</string><key>IOProviderClass</key><string>IOResources</string></dict>`));
    const r = await run("explain", "IOResources", "--import", dump, "--kext", kext);
    expect(r.out).toContain("personality on IOResources without IOMatchCategory blocks every other default-category IOResources driver");
    expect(r.out).toContain("PoliteB lost IOResources' default category to GreedyA");
  });

  it("flags IOUserService left as a dext's IOClass", async () => {
    const kext = join(dir, "Dext.plist");
    writeFileSync(kext, plist("com.user.scsi", `
      <key>SCSI</key><dict><key>IOClass</key><string>IOUserService</string><key>IOProviderClass</key><string>IOPCIDevice</string>
      <key>IOUserClass</key><string>MySCSIController</string><key>IOUserServerName</key><string>com.user.scsi</string>
      <key>IOPCIMatch</key><string>0x168414e4</string></dict>`));
    const r = await run("check", kext);
    expect(r.out).toContain("IOClass is IOUserService: a family-specific class was left as the template default");
  });

  it("finds the nub by entry id, by IOService path and by display-name path", async () => {
    const j = JSON.parse((await run("--replay", dump, "--json")).out);
    const eth1 = j.spurious[0].provider as string;
    const byId = JSON.parse((await run("explain", eth1.toUpperCase().replace("0X", "0x"), "--import", dump, "--json")).out);
    expect(byId.nub.name).toBe("ETH1");
    expect(byId.nub.path).toBe("IOService:/PCI0@0/ETH1@2");
    const byPath = JSON.parse((await run("explain", "IOService:/PCI0@0/ETH1@2", "--import", dump, "--json")).out);
    expect(byPath.nub.id).toBe(eth1);
    const unregistered = await run("explain", "Enet", "--import", dump);
    expect(unregistered.err).toBe("match: Enet: the entry is not registered, so it is never matched\n");
  });

  it("rejects an unknown entry with one line", async () => {
    const r = await run("explain", "NOPE", "--import", dump);
    expect(r.code).toBe(1);
    expect(r.err).toBe('match: no registry entry "NOPE" in the dump\n');
  });
});

describe("iokit match check", () => {
  it("reports wrong-typed keys per kext and key, and exits 1", async () => {
    const kext = join(dir, "Bad.plist");
    writeFileSync(kext, plist("com.user.bad", `
      <key>Bad</key><dict><key>IOClass</key><string>Bad</string><key>IOProviderClass</key><string>IOPCIDevice</string>
      <key>IOProbeScore</key><string>1000</string><key>IOPCIMatch</key><string>vendor 0x8086</string></dict>
      <key>Good</key><dict><key>IOClass</key><string>Good</string><key>IOProviderClass</key><string>IOPCIDevice</string></dict>`));
    const r = await run("check", kext);
    expect(r.code).toBe(1);
    expect(r.out).toContain("2 personalities");
    expect(r.out).toContain("error: kext 'com.user.bad' personality 'Bad': IOProbeScore: must be a number, found string \"1000\": the score counts as 0");
    expect(r.out).toMatch(/personality 'Bad': IOPCIMatch: "vendor 0x8086" is not a list of hex VALUE\[&MASK\] items/);
  });

  it("prints usage for no arguments", async () => {
    const r = await run();
    expect(r.code).toBe(64);
    expect(r.err).toMatch(/^usage: iokit match/);
  });
});
