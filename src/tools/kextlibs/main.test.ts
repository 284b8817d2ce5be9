/**
 * kextlibs on kexts built by the LLVM toolchain (clang-16 + ld64.lld-16, MH_BUNDLE patched to
 * MH_KEXT_BUNDLE): a driver referencing IOKit/libkern symbols (C++ mangled and C), KPI symbol-set
 * kexts as a KDK's System.kext carries them, and a library kext of our own.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { kextInfo, kpiInfo, tempDir, writeKext, type PlainPlist } from "../../../test/support/kextFixtures.ts";
import { haveTool, runTool } from "../../../test/support/machoFixtures.ts";
import { main } from "./main.ts";

const toolchain = ["clang-16", "ld64.lld-16", "llvm-lipo-16"].every(haveTool);
if (!toolchain) process.stderr.write("kextlibs toolchain tests skipped: clang-16, ld64.lld-16 or llvm-lipo-16 not found\n");

/** Compiles C source into a kext executable for each arch (fat when several). */
function buildExecutable(dir: string, name: string, source: string, archs: readonly string[]): string {
  writeFileSync(join(dir, `${name}.c`), source);
  const outs: string[] = [];
  for (const arch of archs) {
    const ver = arch === "arm64" ? "12.0" : "11.0";
    execFileSync("clang-16", ["-target", `${arch}-apple-macos${ver}`, "-c", `${name}.c`, "-o", `${name}_${arch}.o`], { cwd: dir });
    execFileSync("ld64.lld-16", ["-arch", arch, "-platform_version", "macos", ver, ver, "-undefined", "dynamic_lookup", "-fixup_chains",
      "-bundle", `${name}_${arch}.o`, "-o", `${name}_${arch}`], { cwd: dir });
    const bytes = readFileSync(join(dir, `${name}_${arch}`));
    bytes.writeUInt32LE(0xb, 12); // MH_BUNDLE → MH_KEXT_BUNDLE
    writeFileSync(join(dir, `${name}_${arch}`), bytes);
    outs.push(`${name}_${arch}`);
  }
  if (outs.length === 1) return join(dir, outs[0]!);
  execFileSync("llvm-lipo-16", ["-create", ...outs, "-output", `${name}_fat`], { cwd: dir });
  return join(dir, `${name}_fat`);
}

/** Writes a kext bundle whose executable is built from `source`. */
function kext(path: string, info: { [key: string]: PlainPlist }, source: string, archs: readonly string[] = ["x86_64"]): string {
  writeKext(path, info, { executable: false });
  mkdirSync(join(path, "Contents", "MacOS"), { recursive: true });
  const exe = buildExecutable(join(path, ".."), String(info.CFBundleExecutable), source, archs);
  writeFileSync(join(path, "Contents", "MacOS", String(info.CFBundleExecutable)), readFileSync(exe));
  return path;
}

const asmName = (c: string, sym: string): string => `void ${c}(void) __asm__("${sym}");`;
const DRIVER = `${asmName("svc_start", "__ZN9IOService5startEPS_")}
void IOLog(const char *, ...);
void *OSMalloc(unsigned, void *);
int com_example_lib_fn(void);
void com_example_driver_go(void) { svc_start(); IOLog("x"); OSMalloc(1, 0); com_example_lib_fn(); }
int kmod_info = 0;
`;

let repo = "";
let driver = "";
beforeAll(() => {
  if (!toolchain) return;
  repo = tempDir("iokit-kextlibs-");
  const kpi = (id: string, exe: string, source: string): string =>
    kext(join(repo, `${exe}.kext`), { ...kpiInfo(id, "22.6.0"), CFBundleExecutable: exe }, source, ["x86_64", "arm64"]);
  kpi("com.apple.kpi.iokit", "IOKit", `${asmName("svc_start", "__ZN9IOService5startEPS_")}\nvoid svc_start(void) {}\nvoid IOLog(const char *f, ...) {}\n`);
  kpi("com.apple.kpi.libkern", "Libkern", "void *OSMalloc(unsigned n, void *t) { return 0; }\n");
  // The unsupported KPI also defines IOLog: searched only with -unsupported.
  kpi("com.apple.kpi.unsupported", "Unsupported", "void IOLog(const char *f, ...) {}\n");
  kext(join(repo, "ExampleLib.kext"), kextInfo({
    CFBundleIdentifier: "com.example.lib", CFBundleExecutable: "ExampleLib", CFBundleVersion: "2.1.0",
    OSBundleCompatibleVersion: "2.0", IOKitPersonalities: undefined,
  }), "int com_example_lib_fn(void) { return 1; }\nint kmod_info = 0;\n", ["x86_64", "arm64"]);
  driver = kext(join(tempDir("iokit-kextlibs-"), "Driver.kext"), kextInfo({ CFBundleExecutable: "Driver" }), DRIVER, ["x86_64", "arm64"]);
}, 60_000);

describe.skipIf(!toolchain)("kextlibs", () => {
  it("finds the KPIs and our own library, sorted by bundle identifier, for all architectures", async () => {
    const r = await runTool(main, ["-r", repo, driver], repo);
    expect(r.stdout).toBe("    com.apple.kpi.iokit = 22.6\n    com.apple.kpi.libkern = 22.6\n    com.example.lib = 2.1\n");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("prints the OSBundleLibraries XML fragment, with compatible versions under -c", async () => {
    const r = await runTool(main, ["-xml", "-c", "-r", repo, driver], repo);
    expect(r.stdout).toBe([
      "\t<key>OSBundleLibraries</key>", "\t<dict>",
      "\t\t<key>com.apple.kpi.iokit</key>", "\t\t<string>8.0</string>",
      "\t\t<key>com.apple.kpi.libkern</key>", "\t\t<string>8.0</string>",
      "\t\t<key>com.example.lib</key>", "\t\t<string>2.0</string>",
      "\t</dict>", "",
    ].join("\n"));
    // The fragment is a valid dictionary body: python's plistlib reads it back.
    const doc = `<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict>\n${r.stdout}</dict>\n</plist>\n`;
    const parsed = execFileSync("python3", ["-c", "import plistlib,sys,json;print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))"], { input: doc }).toString();
    expect(JSON.parse(parsed)).toEqual({ OSBundleLibraries: { "com.apple.kpi.iokit": "8.0", "com.apple.kpi.libkern": "8.0", "com.example.lib": "2.0" } });
  });

  it("reports multiply defined symbols with -unsupported and exits 2", async () => {
    let r = await runTool(main, ["-unsupported", "-r", repo, driver], repo);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("For all architectures:\n    Multiple symbols found among 2 libraries:\n\tcom.apple.kpi.iokit\n\tcom.apple.kpi.unsupported\n");
    expect(r.stdout).toContain("    com.apple.kpi.unsupported = 22.6\n");
    r = await runTool(main, ["-unsupported", "-multdef-symbols", "-arch", "arm64", "-r", repo, driver], repo);
    expect(r.stderr).toBe([
      "For all architectures:", "    1 symbol found in more than one library kext:", "    _IOLog: in",
      `        ${join(repo, "IOKit.kext")} (22.6)`, `        ${join(repo, "Unsupported.kext")} (22.6)`, "",
    ].join("\n"));
  });

  it("reports undefined symbols (exit 1) and one-definition symbols in Apple's wording", async () => {
    const lonely = kext(join(tempDir("iokit-kextlibs-"), "Lonely.kext"), kextInfo({ CFBundleExecutable: "Lonely" }),
      "void IOLog(const char *, ...);\nvoid nowhere_fn(void);\nvoid com_example_x(void) { IOLog(\"\"); nowhere_fn(); }\n");
    const r = await runTool(main, ["-undef-symbols", "-onedef-symbols", "-r", repo, lonely], repo);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe([
      "For all architectures:", "    1 symbol not found in any library kext:", "\t_nowhere_fn",
      `    _IOLog in ${join(repo, "IOKit.kext")} (22.6)`, "",
    ].join("\n"));
    expect(r.stdout).toBe("    com.apple.kpi.iokit = 22.6\n");
  });

  it("resolves per architecture and rejects an architecture the kext lacks", async () => {
    const r = await runTool(main, ["-arch", "x86_64", "-xml", "-r", repo, driver], repo);
    expect(r.stdout).toContain("<key>OSBundleLibraries</key>");
    const bad = await runTool(main, ["-arch", "i386", "-r", repo, driver], repo);
    expect(bad.status).toBe(64);
    expect(bad.stderr).toBe(`${driver} does not contain code for architecture i386.\n`);
  });

  it("prints OSBundleLibraries_<arch> when architectures disagree", async () => {
    // The library exists only for x86_64 here: arm64 resolves without it.
    const thinRepo = tempDir("iokit-kextlibs-");
    kext(join(thinRepo, "ExampleLib.kext"), kextInfo({
      CFBundleIdentifier: "com.example.lib", CFBundleExecutable: "ExampleLib", CFBundleVersion: "2.1.0",
      OSBundleCompatibleVersion: "2.0", IOKitPersonalities: undefined,
    }), "int com_example_lib_fn(void) { return 1; }\n", ["x86_64"]);
    const r = await runTool(main, ["-xml", "-r", thinRepo, driver], repo);
    expect(r.stdout).toBe([
      // arm64 found no library: Apple prints no fragment for it.
      "\t<key>OSBundleLibraries_x86_64</key>", "\t<dict>", "\t\t<key>com.example.lib</key>", "\t\t<string>2.1</string>", "\t</dict>", "",
    ].join("\n"));
    expect(r.stderr).toContain("For arm64:\n    4 symbols not found in any library kext.\n");
    expect(r.status).toBe(1);
  });

  it("says so for a codeless kext, and prints No libraries found for a kext that needs none", async () => {
    const codeless = writeKext(join(tempDir(), "Codeless.kext"), kextInfo({ CFBundleExecutable: undefined, OSBundleLibraries: undefined }));
    let r = await runTool(main, ["-r", repo, codeless], repo);
    expect(r.stderr).toBe(`${codeless} has no executable and does not need to declare OSBundleLibraries.\n`);
    expect(r.status).toBe(0);
    const selfContained = kext(join(tempDir("iokit-kextlibs-"), "Self.kext"), kextInfo({ CFBundleExecutable: "Self" }), "int com_example_self(void) { return 0; }\n");
    r = await runTool(main, ["-r", repo, selfContained], repo);
    expect(r.stdout).toBe("    No libraries found.\n");
    expect(r.status).toBe(0);
  });
});
