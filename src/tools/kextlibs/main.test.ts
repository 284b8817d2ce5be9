/**
 * kextlibs on kexts built by the LLVM toolchain (clang-16 + ld64.lld-16, MH_BUNDLE patched to
 * MH_KEXT_BUNDLE): a driver referencing IOKit/libkern symbols (C++ mangled and C), KPI symbol-set
 * kexts as a KDK's System.kext carries them (kextsymboltool's layout), and a library kext of our own.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { kextInfo, kpiInfo, scopedTempDir, writeKext, type PlainPlist } from "../../../test/support/kextFixtures.ts";
import { haveTool, runTool } from "../../../test/support/machoFixtures.ts";
import { buildFatFile } from "../../formats/index.ts";
import { main } from "./main.ts";

const tempDir = scopedTempDir();

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

/**
 * A KPI symbol set as xnu's kextsymboltool writes it: a 64-bit MH_KEXT_BUNDLE (MH_INCRLINK) with
 * `__LINKEDIT`, LC_SYMTAB and LC_UUID; each export an N_UNDF|N_EXT entry, or N_INDR|N_EXT for
 * `name:target` aliases; the string table starts at offset 4.
 */
function symbolSet(cputype: number, cpusubtype: number, exports: readonly string[]): Uint8Array {
  const sorted = [...exports].sort();
  let strings = "\0\0\0\0";
  const entries: Array<{ strx: number; type: number; value: number }> = [];
  for (const e of sorted) {
    const [name, target] = e.split(":") as [string, string | undefined];
    const strx = strings.length;
    strings += `${name}\0`;
    if (target === undefined) entries.push({ strx, type: 0x01, value: 0 });
    else { entries.push({ strx, type: 0x0b, value: strings.length }); strings += `${target}\0`; }
  }
  while (strings.length % 4 !== 0) strings += "\0";
  const sizeofcmds = 72 + 24 + 24;
  const symoff = 4096;
  const stroff = symoff + 16 * entries.length;
  const b = new Uint8Array(stroff + strings.length);
  const v = new DataView(b.buffer);
  [0xfeedfacf, cputype, cpusubtype, 0xb, 3, sizeofcmds, 0x2, 0].forEach((x, i) => v.setUint32(4 * i, x >>> 0, true));
  let p = 32;
  v.setUint32(p, 0x19, true); v.setUint32(p + 4, 72, true);
  for (let i = 0; i < 10; i++) b[p + 8 + i] = "__LINKEDIT".charCodeAt(i);
  v.setBigUint64(p + 32, BigInt(b.length - symoff), true); // vmsize
  v.setBigUint64(p + 40, BigInt(symoff), true); // fileoff
  v.setBigUint64(p + 48, BigInt(b.length - symoff), true); // filesize
  v.setUint32(p + 56, 1, true); v.setUint32(p + 60, 1, true); v.setUint32(p + 68, 0x4, true);
  p += 72;
  [0x2, 24, symoff, entries.length, stroff, strings.length].forEach((x, i) => v.setUint32(p + 4 * i, x, true));
  p += 24;
  v.setUint32(p, 0x1b, true); v.setUint32(p + 4, 24, true);
  entries.forEach((e, i) => {
    const q = symoff + 16 * i;
    v.setUint32(q, e.strx, true); b[q + 4] = e.type; v.setBigUint64(q + 8, BigInt(e.value), true);
  });
  for (let i = 0; i < strings.length; i++) b[stroff + i] = strings.charCodeAt(i);
  return b;
}

/** A KPI pseudo-kext (OSBundleIsInterface, OSKernelResource) with a fat x86_64+arm64 symbol set. */
function kpiKext(path: string, id: string, exe: string, exports: readonly string[]): string {
  writeKext(path, { ...kpiInfo(id, "22.6.0"), CFBundleExecutable: exe, OSBundleIsInterface: true }, { executable: false });
  mkdirSync(join(path, "Contents", "MacOS"), { recursive: true });
  const fat = buildFatFile([
    { cputype: 0x01000007, cpusubtype: 3, align: 12, bytes: symbolSet(0x01000007, 3, exports) },
    { cputype: 0x0100000c, cpusubtype: 0, align: 14, bytes: symbolSet(0x0100000c, 0, exports) },
  ]);
  writeFileSync(join(path, "Contents", "MacOS", exe), fat);
  return path;
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
void IOLockLock(void *);
void *OSMalloc(unsigned, void *);
int com_example_lib_fn(void);
void com_example_driver_go(void) { svc_start(); IOLog("x"); IOLockLock(0); OSMalloc(1, 0); com_example_lib_fn(); }
int kmod_info = 0;
`;

let repo = "";
let driver = "";
beforeAll(() => {
  if (!toolchain) return;
  repo = tempDir("iokit-kextlibs-");
  // As in a KDK's System.kext/PlugIns (lines of xnu's IOKit.exports, Libkern.exports …).
  kpiKext(join(repo, "IOKit.kext"), "com.apple.kpi.iokit", "IOKit", ["__ZN9IOService5startEPS_", "_IOLog", "_IOLockLock:_lck_mtx_lock"]);
  kpiKext(join(repo, "Libkern.kext"), "com.apple.kpi.libkern", "Libkern", ["_OSMalloc", "__ZN8OSObject4freeEv"]);
  // The unsupported KPI also exports IOLog: searched only with -unsupported.
  kpiKext(join(repo, "Unsupported.kext"), "com.apple.kpi.unsupported", "Unsupported", ["_IOLog"]);
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
    const v = await runTool(main, ["-v", "-arch", "x86_64", "-r", repo, driver], repo);
    // -v lists the searchable libraries: the unsupported KPI is not one without -unsupported; the
    // KPIs the repository lacks come from the bundled sets (private and dsep need -unsupported).
    expect(v.stderr).toBe(`x86_64: searching 5 libraries\n${["IOKit.kext", "Libkern.kext", "ExampleLib.kext"].map((k) => `    ${join(repo, k)}\n`).sort().join("")}`
      + ["BSDKernel", "Mach"].map((k) => `    (xnu-7195.101.1)/System.kext/PlugIns/${k}.kext\n`).join(""));
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
    // thinRepo holds no KPI: the bundled sets (xnu-7195.101.1, Darwin 20.4.0) resolve them.
    const kpis = ["com.apple.kpi.iokit", "com.apple.kpi.libkern"].flatMap((id) => [`\t\t<key>${id}</key>`, "\t\t<string>20.4</string>"]);
    expect(r.stdout).toBe([
      "\t<key>OSBundleLibraries_x86_64</key>", "\t<dict>", ...kpis, "\t\t<key>com.example.lib</key>", "\t\t<string>2.1</string>", "\t</dict>",
      "\t<key>OSBundleLibraries_arm64</key>", "\t<dict>", ...kpis, "\t</dict>", "",
    ].join("\n"));
    expect(r.stderr).toBe("For arm64:\n    1 symbol not found in any library kext.\n");
    expect(r.status).toBe(1);
  });

  it("says so for a codeless kext, and prints No libraries found for a kext that needs none", async () => {
    const codeless = writeKext(join(tempDir(), "Codeless.kext"), kextInfo({ CFBundleExecutable: undefined, OSBundleLibraries: undefined }));
    let r = await runTool(main, ["-r", repo, codeless], repo);
    expect(r.stderr).toBe(`${codeless} has no executable and does not need to declare OSBundleLibraries.\n`);
    expect(r.status).toBe(0);
    const library = writeKext(join(tempDir(), "Lib.kext"), kextInfo({ CFBundleExecutable: undefined, OSBundleCompatibleVersion: "1.0" }));
    r = await runTool(main, ["-r", repo, library], repo);
    expect(r.stderr).toBe(`${library} is a library without an executable; defining its OSBundleLibraries (if any) is up to you.\n`);
    expect(r.status).not.toBe(0);
    const selfContained = kext(join(tempDir("iokit-kextlibs-"), "Self.kext"), kextInfo({ CFBundleExecutable: "Self" }), "int com_example_self(void) { return 0; }\n");
    r = await runTool(main, ["-r", repo, selfContained], repo);
    expect(r.stdout).toBe("    No libraries found.\n");
    expect(r.status).toBe(0);
  });
});
