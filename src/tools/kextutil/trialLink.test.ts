/**
 * kextutil's trial link by symbols (-n): kexts built with clang-16/ld64.lld-16 resolve against
 * their declared libraries — a library kext's own Mach-O and the bundled KPI sets, or a kernel's
 * sets with -kernel — with kxld's unresolved and multiply-defined reports, kextutil's kextlibs(8)
 * line and exit 4, and our hint naming undeclared libraries that define the missing symbols.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { kextInfo, kpiInfo, scopedTempDir, writeKext, type PlainPlist } from "../../../test/support/kextFixtures.ts";
import { buildKextMachO, haveTool, runTool } from "../../../test/support/machoFixtures.ts";
import { main } from "./main.ts";

const tempDir = scopedTempDir();
const toolchain = ["clang-16", "ld64.lld-16"].every(haveTool);
if (!toolchain) process.stderr.write("kextutil trial-link tests skipped: clang-16 or ld64.lld-16 not found\n");

const HEADER = `class OSObject { public: void release() const; };
class IOService : public OSObject { public: bool start(IOService *); void frobnicate(); };
extern "C" void IOLog(const char *, ...);
extern "C" void org_iokitts_family_call(void);
extern "C" int kmod_info = 0;
`;
/** Uses iokit (IOLog, IOService::start), libkern (OSObject::release) and the Family library. */
const GOOD = `${HEADER}extern "C" void org_iokitts_good_go(IOService *s) { if (s->start(s)) s->release(); IOLog("x"); org_iokitts_family_call(); }\n`;
/** Also calls a method no library defines and a C function nobody defines. */
const UNRESOLVED = `${HEADER}extern "C" void org_iokitts_nowhere(void);
extern "C" void org_iokitts_bad_go(IOService *s) { s->frobnicate(); IOLog("x"); org_iokitts_nowhere(); }\n`;
/** Defines IOLog itself: a second definition of a symbol com.apple.kpi.iokit exports. */
const DUPLICATE = `extern "C" int kmod_info = 0;\nextern "C" void IOLog(const char *, ...) {}\n`;

let dir = "";
let repo = "";
const kexts: Record<string, string> = {};

/** A kext bundle at `<dir>/<name>.kext` whose executable is built from `source`. */
function machOKext(name: string, source: string, info: Record<string, PlainPlist | undefined>): string {
  const path = join(dir, `${name}.kext`);
  writeKext(path, kextInfo({ CFBundleIdentifier: `org.iokitts.test.${name}`, CFBundleExecutable: name, IOKitPersonalities: undefined, ...info }), { executable: false });
  mkdirSync(join(path, "Contents", "MacOS"));
  writeFileSync(join(path, "Contents", "MacOS", name), readFileSync(buildKextMachO(dir, name, source, "c++", ["x86_64"])));
  return path;
}

beforeAll(() => {
  if (!toolchain) return;
  dir = tempDir("iokit-kextutil-link-");
  repo = join(dir, "repo");
  for (const id of ["com.apple.kpi.iokit", "com.apple.kpi.libkern"]) writeKext(join(repo, `${id}.kext`), kpiInfo(id, "20.4.0"));
  const family = join(repo, "Family.kext");
  writeKext(family, kextInfo({
    CFBundleIdentifier: "org.iokitts.Family", CFBundleExecutable: "Family", CFBundleVersion: "1.2", OSBundleCompatibleVersion: "1.0",
    OSBundleLibraries: { "com.apple.kpi.libkern": "9.0" }, IOKitPersonalities: undefined,
  }), { executable: false });
  mkdirSync(join(family, "Contents", "MacOS"));
  writeFileSync(join(family, "Contents", "MacOS", "Family"),
    readFileSync(buildKextMachO(dir, "Family", `extern "C" int kmod_info = 0;\nextern "C" void org_iokitts_family_call(void) {}\n`, "c++", ["x86_64"])));
  const libs = { "com.apple.kpi.iokit": "9.0", "com.apple.kpi.libkern": "9.0", "org.iokitts.Family": "1.0" };
  kexts.good = machOKext("Good", GOOD, { OSBundleLibraries: libs });
  kexts.bad = machOKext("Bad", UNRESOLVED, { OSBundleLibraries: libs });
  kexts.undeclared = machOKext("Undeclared", GOOD, { OSBundleLibraries: { "com.apple.kpi.libkern": "9.0" } });
  kexts.kpiOnly = machOKext("KpiOnly", `${HEADER}extern "C" void org_iokitts_k_go(IOService *s) { if (s->start(s)) s->release(); IOLog("x"); }\n`,
    { OSBundleLibraries: { "com.apple.kpi.iokit": "9.0", "com.apple.kpi.libkern": "9.0" } });
  kexts.tooNew = machOKext("TooNew", DUPLICATE.replace("{}", ";"), { OSBundleLibraries: { "com.apple.kpi.iokit": "21.0" } });
  kexts.dup = machOKext("Dup", DUPLICATE, { OSBundleLibraries: { "com.apple.kpi.iokit": "9.0" } });
  writeFileSync(join(dir, "symbolsets.plist"), `<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict><key>SymbolsSets</key><array>
<dict><key>CFBundleIdentifier</key><string>com.apple.kpi.iokit</string><key>CFBundleVersion</key><string>21.6.0</string>
<key>OSBundleCompatibleVersion</key><string>7.0</string><key>Symbols</key><array>
<dict><key>SymbolName</key><string>_IOLog</string></dict></array></dict>
<dict><key>CFBundleIdentifier</key><string>com.apple.kpi.libkern</string><key>CFBundleVersion</key><string>21.6.0</string>
<key>OSBundleCompatibleVersion</key><string>8.0.0d0</string><key>Symbols</key><array>
<dict><key>SymbolPrefix</key><string>__ZNK8OSObject</string></dict></array></dict>
</array></dict></plist>
`);
  buildKextMachO(dir, "kernel", `const char version[] = "Darwin Kernel Version 21.6.0: x; root:xnu-8020~1/RELEASE_X86_64";\n`, "c", ["x86_64"],
    ["-sectcreate", "__LINKINFO", "__symbolsets", "symbolsets.plist"], false);
}, 60_000);

/** The report from kxld's first line on (what precedes it depends on signing and warnings). */
const fromKxld = (err: string): string => err.slice(err.indexOf("kxld["));

describe.skipIf(!toolchain)("kextutil -n trial link", () => {
  it("links a kext whose symbols all resolve through its declared libraries", async () => {
    const r = await runTool(main, ["-t", "-n", "-e", "-z", "-r", repo, kexts.good!], dir);
    expect(r.stderr).not.toContain("kxld[");
    expect(r.stderr.endsWith(`${kexts.good} appears to be loadable (including linkage for on-disk libraries).\n`)).toBe(true);
    expect(r.status).toBe(0);
  });

  it("lists unresolved symbols as kxld does (C++ demangled) and exits 4", async () => {
    const r = await runTool(main, ["-n", "-e", "-z", "-r", repo, kexts.bad!], dir);
    expect(fromKxld(r.stderr)).toBe([
      "kxld[org.iokitts.test.Bad]: The following symbols are unresolved for this kext:",
      "kxld[org.iokitts.test.Bad]: \tIOService::frobnicate()",
      "kxld[org.iokitts.test.Bad]: \t_org_iokitts_nowhere",
      "Check library declarations for your kext with kextlibs(8).", "",
    ].join("\n"));
    expect(r.stderr).not.toContain("appears to be loadable");
    expect(r.status).toBe(4);
  });

  it("names the undeclared KPI and library kext that define the unresolved symbols", async () => {
    const r = await runTool(main, ["-t", "-n", "-e", "-z", "-r", repo, kexts.undeclared!], dir);
    expect(fromKxld(r.stderr)).toBe([
      "kxld[org.iokitts.test.Undeclared]: The following symbols are unresolved for this kext:",
      "kxld[org.iokitts.test.Undeclared]: \t_IOLog",
      "kxld[org.iokitts.test.Undeclared]: \tIOService::start(IOService*)",
      "kxld[org.iokitts.test.Undeclared]: \t_org_iokitts_family_call",
      `${kexts.undeclared} does not declare these libraries, which define some of these symbols; add to OSBundleLibraries:`,
      "    com.apple.kpi.iokit = 20.4",
      "    org.iokitts.Family = 1.2",
      "Check library declarations for your kext with kextlibs(8).", "",
    ].join("\n"));
    expect(r.status).toBe(4);
  });

  it("reports a symbol the kext defines that a declared library exports", async () => {
    const r = await runTool(main, ["-n", "-e", "-z", "-r", repo, kexts.dup!], dir);
    expect(fromKxld(r.stderr)).toBe([
      "kxld[org.iokitts.test.Dup]: The following symbols were defined more than once:",
      "kxld[org.iokitts.test.Dup]: \t_IOLog: org.iokitts.test.Dup - com.apple.kpi.iokit",
      "Check library declarations for your kext with kextlibs(8).", "",
    ].join("\n"));
    expect(r.status).toBe(4);
  });

  it("links against a real kernel's symbol sets with -kernel / -k", async () => {
    for (const flag of ["-kernel", "-k"]) {
      const r = await runTool(main, ["-n", "-e", "-z", flag, join(dir, "kernel"), "-r", repo, kexts.good!], dir);
      // This kernel's com.apple.kpi.iokit exports IOLog but not IOService::start.
      expect(fromKxld(r.stderr)).toBe([
        "kxld[org.iokitts.test.Good]: The following symbols are unresolved for this kext:",
        "kxld[org.iokitts.test.Good]: \tIOService::start(IOService*)",
        "Check library declarations for your kext with kextlibs(8).", "",
      ].join("\n"));
      expect(r.status).toBe(4);
    }
    const plist = await runTool(main, ["-n", "-e", "-z", "-kernel", join(dir, "symbolsets.plist"), "-r", repo, kexts.good!], dir);
    expect(plist.stderr.endsWith(`${join(dir, "symbolsets.plist")}: The file was not recognized as a valid object file (at offset 0).\n`)).toBe(true);
    expect(plist.status).toBe(66);
  });

  it("resolves KPIs no repository holds against the kernel's own pseudo-kexts, versions checked", async () => {
    const r = await runTool(main, ["-t", "-n", "-e", "-z", kexts.kpiOnly!], dir);
    expect(r.stderr.endsWith(`${kexts.kpiOnly} appears to be loadable (including linkage for on-disk libraries).\n`)).toBe(true);
    expect(r.status).toBe(0);
    // The bundled com.apple.kpi.iokit is 20.4 (xnu-7195.101.1): 21.0 is not within [7.0, 20.4].
    const old = await runTool(main, ["-t", "-n", "-e", "-z", kexts.tooNew!], dir);
    expect(old.stderr).toContain("Dependency Resolution Failures: \n    Only incompatible kexts found for these libraries: \n        com.apple.kpi.iokit\n");
    expect(old.status).toBe(4);
    // A kernel's sets bring their own versions: 21.6 satisfies 21.0.
    const k = await runTool(main, ["-t", "-n", "-e", "-z", "-kernel", join(dir, "kernel"), kexts.tooNew!], dir);
    expect(k.stderr.endsWith(`${kexts.tooNew} appears to be loadable (including linkage for on-disk libraries).\n`)).toBe(true);
    expect(k.status).toBe(0);
  });

  it("does not link for an architecture the executable lacks", async () => {
    const arch = await runTool(main, ["-t", "-n", "-e", "-z", "-arch", "arm64", "-r", repo, kexts.bad!], dir);
    expect(arch.stderr).not.toContain("kxld[");
    expect(arch.stderr).toContain("appears to be loadable (not including linkage for on-disk libraries).\n");
  });
});
