import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kextInfo, kpiInfo, machOHeader, tempDir, writeKext } from "../../../test/support/kextFixtures.ts";
import { kextEvents, recordingModule, writeJsKextFolder } from "../../../test/support/jsKextFixtures.ts";
import { captureIO } from "../ToolIO.ts";
import { main } from "./main.ts";

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

function repoWithKPIs(): string {
  const repo = tempDir();
  for (const id of ["com.apple.kpi.iokit", "com.apple.kpi.libkern"]) writeKext(join(repo, `${id}.kext`), kpiInfo(id, "18.7.0"));
  return repo;
}

async function kextutil(...argv: string[]) {
  const io = captureIO();
  const status = await main(argv, io);
  return { status, err: io.err(), out: io.out() };
}

describe("kextutil -t -n", () => {
  it("says a good kext appears to be loadable and exits 0", async () => {
    const kext = writeKext(join(tempDir(), "Foo.kext"), kextInfo());
    const r = await kextutil("-t", "-n", "-e", "-z", "-r", repoWithKPIs(), kext);
    // The stand-in executable references nothing, so the trial link against the KPIs succeeds.
    expect(r.err).toContain(`${kext} appears to be loadable (including linkage for on-disk libraries).\n`);
    expect(r.err).not.toContain("Diagnostics for");
    expect(r.status).toBe(0);
    expect(r.out).toBe("");
  });
  it("prints Apple's dump and exits 4 (KextBad) for validation and dependency failures", async () => {
    const kext = writeKext(join(tempDir(), "Bad.kext"), kextInfo({
      CFBundleVersion: "$(MODULE_VERSION)",
      OSBundleLibraries: { "com.apple.kpi.iokit": "9.0", "com.example.Missing": "1.0" },
    }));
    const r = await kextutil("-tn", "-e", "-z", "-r", repoWithKPIs(), kext);
    expect(r.status).toBe(4);
    expect(r.err).toContain([
      `Diagnostics for ${kext}:`,
      "Validation Failures: ",
      "    Info dictionary property value is illegal: ",
      "        CFBundleVersion - unexpanded build variable $(MODULE_VERSION)",
      "",
      "Dependency Resolution Failures: ",
      "    No kexts found for these libraries: ",
      "        com.example.Missing",
      "",
    ].join("\n"));
    expect(r.err).not.toContain("appears to be loadable");
  });
  it("reports owner/permission problems as Authentication Failures", async () => {
    const kext = writeKext(join(tempDir(), "Perm.kext"), kextInfo());
    chmodSync(join(kext, "Contents", "Info.plist"), 0o666);
    const r = await kextutil("-t", "-n", "-e", "-r", repoWithKPIs(), kext);
    expect(r.status).toBe(4);
    expect(r.err).toContain("Authentication Failures: \n    File owner/permissions are incorrect (must be root:wheel, nonwritable by group/other): \n");
    expect(r.err).toContain(`        ${kext}/Contents/Info.plist\n`);
    if (!isRoot) expect(r.err).toContain("Skipping staging and system policy checks because not running as root");
  });
  it("prints warnings without failing, and notices for debug properties and safe boot", async () => {
    const kext = writeKext(join(tempDir(), "Dbg.kext"), kextInfo({
      IOKitPersonalities: { Foo: { IOClass: "A", IOProviderClass: "IOResources", IOKitDebug: 65535 } },
    }), { extraFiles: { "Contents/Resources/Foo.h": "int x;\n", "Contents/.DS_Store": "" } });
    const r = await kextutil("-t", "-n", "-e", "-z", "-x", "-r", repoWithKPIs(), kext);
    expect(r.err).toContain(`Notice: ${kext} is not eligible for loading during safe boot.\n`);
    expect(r.err).toContain(`Notice: ${kext} has debug properties set.\n`);
    expect(r.err).toContain("Boot Level Restrictions: \n    Kext isn't loadable during safe boot.\n");
    expect(r.status).toBe(4);
    const plain = await kextutil("-t", "-n", "-e", "-z", "-r", repoWithKPIs(), kext);
    expect(plain.status).toBe(0);
    expect(plain.err).toMatch(/^Notice: .* has debug properties set\.\nCode Signing Failure: not code signed\nWarnings: \n/);
    expect(plain.err).toContain("IOKitPersonalities.Foo.IOKitDebug - 65535");
    expect(plain.err).toContain(`        ${kext}/Contents/Resources/Foo.h\n`);
    expect(plain.err).toContain(`        ${kext}/Contents/.DS_Store\n`);
  });
  it("uses Apple's path checks and exit codes for bad arguments", async () => {
    const dir = tempDir();
    expect((await kextutil("-n", join(dir, "Nope.kext"))).err).toBe(`Can't stat ${join(dir, "Nope.kext")} - No such file or directory.\n`);
    expect((await kextutil("-n", join(dir, "Nope.kext"))).status).toBe(66);
    const notKext = await kextutil("-n", dir);
    expect(notKext.status).toBe(64);
    expect(notKext.err).toContain(`${dir} not of type 'kext'.`);
    expect((await kextutil("-h")).status).toBe(33);
    expect((await kextutil("-n")).status).toBe(64);
    expect((await kextutil("--bogus")).status).toBe(64);
  });
  it("finds a kext by -b in a repository and reports unknown identifiers (exit 1)", async () => {
    const repo = repoWithKPIs();
    writeKext(join(repo, "Foo.kext"), kextInfo());
    const r = await kextutil("-n", "-e", "-z", "-r", repo, "-b", "com.example.driver.Foo");
    expect(r.err).toContain(`${join(repo, "Foo.kext")} appears to be loadable`);
    const missing = await kextutil("-n", "-e", "-z", "-r", repo, "-b", "com.example.Nope");
    expect(missing.err).toContain("Can't find extension with identifier com.example.Nope.\n");
    expect(missing.status).toBe(1);
  });
  it("substitutes xnu's kernel version placeholders with --kernel-version", async () => {
    const repo = tempDir();
    writeKext(join(repo, "IOKit.kext"), kpiInfo("com.apple.kpi.iokit", "###KERNEL_VERSION_LONG###", "7.0"));
    writeKext(join(repo, "Libkern.kext"), kpiInfo("com.apple.kpi.libkern", "###KERNEL_VERSION_LONG###", "8.0.0d0"));
    const kext = writeKext(join(tempDir(), "Foo.kext"), kextInfo());
    const without = await kextutil("-n", "-e", "-z", "-r", repo, kext);
    expect(without.err).toContain("Only incompatible kexts found for these libraries");
    const withKV = await kextutil("-n", "-e", "-z", "-r", repo, "--kernel-version", "18.7.0", kext);
    expect(withKV.status).toBe(0);
    expect((await kextutil("-n", "--kernel-version", "x", kext)).status).toBe(64);
  });
  it("turns bad input into diagnostics with exit 4: malformed plist, missing executable, cycles, out-of-range versions", async () => {
    const repo = repoWithKPIs();
    const dir = tempDir();
    const malformed = writeKext(join(dir, "Malformed.kext"), kextInfo());
    writeFileSync(join(malformed, "Contents", "Info.plist"), "<plist><dict><key>CFBundleIdentifier</key><string>x</dict></plist>");
    const m = await kextutil("-n", "-e", "-z", "-r", repo, malformed);
    expect(m.status).toBe(4);
    expect(m.err).toMatch(/Can't parse info dictionary XML: \n {8}Contents\/Info\.plist - .*line 1/);
    const noExe = writeKext(join(dir, "NoExe.kext"), kextInfo(), { executable: false });
    expect((await kextutil("-n", "-e", "-z", "-r", repo, noExe)).err).toContain("    Kext has a CFBundleExecutable property but the executable can't be found\n");
    const ver = writeKext(join(dir, "Ver.kext"), kextInfo({ CFBundleVersion: "10000.0", OSBundleLibraries: { "com.apple.kpi.iokit": "9.0.256" } }));
    const v = await kextutil("-n", "-e", "-z", "-r", repo, ver);
    expect(v.status).toBe(4);
    expect(v.err).toContain("        CFBundleVersion\n");
    writeKext(join(repo, "A.kext"), kextInfo({ CFBundleIdentifier: "com.example.A", CFBundleExecutable: "A", OSBundleCompatibleVersion: "1.0", OSBundleLibraries: { "com.example.B": "1.0", "com.apple.kpi.libkern": "9.0" } }));
    writeKext(join(repo, "B.kext"), kextInfo({ CFBundleIdentifier: "com.example.B", CFBundleExecutable: "B", OSBundleCompatibleVersion: "1.0", OSBundleLibraries: { "com.example.A": "1.0", "com.apple.kpi.libkern": "9.0" } }));
    const cyc = await kextutil("-n", "-e", "-z", "-r", repo, "-b", "com.example.A");
    expect(cyc.status).toBe(4);
    expect(cyc.err).toMatch(/Some dependencies are causing circular references|Indirect dependencies can't be resolved/);
  });
  it("wrong key types and unreadable Info.plists are diagnostics naming the key or file, exit 4, nothing loaded", async () => {
    const repo = repoWithKPIs();
    const dir = tempDir();
    const types = writeKext(join(dir, "Types.kext"), kextInfo({ OSBundleLibraries: ["com.apple.kpi.iokit"] as unknown as string, OSBundleRequired: 3 }));
    const t = await kextutil("-e", "-z", "-r", repo, types);
    expect(t.status).toBe(4);
    expect(t.err).toContain("    Info dictionary property value is of illegal type: \n        OSBundleRequired - should be <string>\n        OSBundleLibraries - should be <dict>\n");
    expect(t.err).not.toContain("Failed to load");
    if (isRoot) {
      console.warn("skipping the unreadable Info.plist case: running as root, chmod 000 does not deny reads");
      return;
    }
    const locked = writeKext(join(dir, "Locked.kext"), kextInfo());
    chmodSync(join(locked, "Contents", "Info.plist"), 0o000);
    const l = await kextutil("-e", "-z", "-r", repo, locked);
    expect(l.status).toBe(4);
    expect(l.err).toContain(`Diagnostics for ${locked}:`);
    expect(l.err).toMatch(/Contents\/Info\.plist/);
  });
  it("judges the Mach-O executable: kmod_info and filetype make kernel code; globals need the bundle prefix", async () => {
    const repo = repoWithKPIs();
    const dir = tempDir();
    const noKmod = writeKext(join(dir, "NoKmod.kext"), kextInfo(), { executable: false });
    mkdirSync(join(noKmod, "Contents", "MacOS"));
    writeFileSync(join(noKmod, "Contents", "MacOS", "Foo"), machOHeader(0x01000007, ["_start"]));
    const bad = await kextutil("-n", "-e", "-z", "-r", repo, noKmod);
    expect(bad.status).toBe(4);
    expect(bad.err).toContain("    Executable file doesn't contain kernel extension code (no kmod_info symbol or bad Mach-O layout).\n");
    const arm = writeKext(join(dir, "Arm.kext"), kextInfo(), { executable: false });
    mkdirSync(join(arm, "Contents", "MacOS"));
    writeFileSync(join(arm, "Contents", "MacOS", "Foo"), machOHeader(0x0100000c, ["_kmod_info", "_helper"]));
    const r = await kextutil("-n", "-e", "-z", "-r", repo, arm);
    expect(r.status).toBe(0);
    expect(r.err).toContain("    Executable does not contain code for architecture\n");
    expect(r.err).toContain("        arm64: global symbol _helper does not start with com_example\n");
    expect((await kextutil("-n", "-e", "-z", "-arch", "arm64", "-r", repo, arm)).err).not.toContain("does not contain code for architecture");
  });
});

let loadSeq = 0;
/** A JavaScript library and a driver matching on IOResources whose instance records "<n> matched". */
function jsGraph(driverStart = 0) {
  const n = `Ku${++loadSeq}`;
  const kpis = { "com.apple.kpi.iokit": "9.0", "com.apple.kpi.libkern": "9.0" };
  const { dir, paths } = writeJsKextFolder([
    { id: `com.example.${n}.Lib`, info: { CFBundleVersion: "1.0", OSBundleCompatibleVersion: "1.0", OSBundleLibraries: kpis }, code: recordingModule(`${n} lib`) },
    {
      id: `com.example.${n}.Driver`,
      info: { OSBundleLibraries: { [`com.example.${n}.Lib`]: "1.0", ...kpis }, IOKitPersonalities: { D: { CFBundleIdentifier: `com.example.${n}.Driver`, IOClass: `${n}Driver`, IOProviderClass: "IOResources", IOMatchCategory: `${n}Driver` } } },
      code: recordingModule(`${n} driver`, { startResult: driverStart, classes: `class ${n}Driver extends kpi.IOService { start(p) { globalThis.__kextEvents.push("${n} matched"); return super.start(p); } } return { ${n}Driver };` }),
    },
  ]);
  return { n, dir, driver: paths.get(`com.example.${n}.Driver`) as string };
}

describe("kextutil (loading into the embedded kernel)", () => {
  it("loads the kext with its libraries from -r, runs matching to quiescence and reports with -v", async () => {
    const { n, dir, driver } = jsGraph();
    kextEvents().length = 0;
    const r = await kextutil("-e", "-z", "-v", "-r", dir, driver);
    expect(r.err).toBe(`Loading ${driver}.\n${driver} successfully loaded (or already loaded).\n`);
    expect(r.status).toBe(0);
    // The embedded kernel ends with the command: the driver stops and the kexts unload.
    expect(kextEvents()).toEqual([`${n} lib start`, `${n} driver start`, `${n} matched`, `${n} driver stop`, `${n} lib stop`]);
    const quiet = await kextutil("-e", "-z", "-r", dir, driver);
    expect(quiet).toEqual({ status: 0, err: "", out: "" });
  });
  it("with -t runs the tests, then loads; -l loads without sending personalities", async () => {
    const { n, dir, driver } = jsGraph();
    kextEvents().length = 0;
    const r = await kextutil("-t", "-e", "-z", "-r", dir, driver);
    expect(r.err.endsWith(`${driver} appears to be loadable (not including linkage for on-disk libraries).\n`)).toBe(true);
    expect(kextEvents()).toContain(`${n} matched`);
    kextEvents().length = 0;
    expect((await kextutil("-l", "-e", "-z", "-r", dir, driver)).status).toBe(0);
    expect(kextEvents()).toEqual([`${n} lib start`, `${n} driver start`, `${n} driver stop`, `${n} lib stop`]);
  });
  it("reports a failed load with the kernel's lines and Apple's error string, exit 6 (LoadFailed)", async () => {
    const { n, dir, driver } = jsGraph(5);
    kextEvents().length = 0;
    const r = await kextutil("-e", "-z", "-r", dir, driver);
    expect(r.status).toBe(6);
    expect(r.err).toContain(`(kernel) Kext com.example.${n}.Driver start routine failed.\n`);
    expect(r.err).toContain(`(kernel) Kext com.example.${n}.Driver failed to load (0xdc008017).\n`);
    expect(r.err.endsWith(`Failed to load ${driver} - (libkern/kext) kext (kmod) start/stop routine failed.\n`)).toBe(true);
    expect(kextEvents()).toEqual([`${n} lib start`, `${n} driver start failed`, `${n} lib stop`]);
  });
  it("refuses Mach-O code (link error) and does not load a kext that fails its tests (exit 4)", async () => {
    const repo = repoWithKPIs();
    const macho = writeKext(join(tempDir(), "Foo.kext"), kextInfo());
    const r = await kextutil("-e", "-z", "-r", repo, macho);
    expect(r.status).toBe(6);
    expect(r.err).toContain(`Failed to load ${macho} - (libkern/kext) link error.\nCheck library declarations for your kext with kextlibs(8).\n`);
    const bad = writeKext(join(tempDir(), "Bad.kext"), kextInfo({ OSBundleLibraries: { "com.example.Missing": "1.0" } }));
    const b = await kextutil("-e", "-z", "-r", repo, bad);
    expect(b.status).toBe(4);
    expect(b.err).toContain(`Diagnostics for ${bad}:`);
    expect(b.err).not.toContain("Failed to load");
  });
});
