/**
 * kextlibs against the kernel's KPI symbol sets: the bundled ones (xnu-7195.101.1's export lists)
 * and those of a kernel given with -kernel — a kernel with an embedded `__LINKINFO,__symbolsets`
 * plist, one without (symbol table + Darwin banner), and a kernel collection (MH_FILESET) wrapping
 * one. Kexts and kernels are built with clang-16/ld64.lld-16 (C++ for the I/O Kit calls).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { kextInfo, scopedTempDir, writeKext } from "../../../test/support/kextFixtures.ts";
import { buildKextMachO as build, haveTool, runTool } from "../../../test/support/machoFixtures.ts";
import { parseMachOImage } from "../../formats/index.ts";
import { main } from "./main.ts";

const tempDir = scopedTempDir();
const toolchain = ["clang-16", "ld64.lld-16", "llvm-lipo-16"].every(haveTool);
if (!toolchain) process.stderr.write("kextlibs kernel-set tests skipped: clang-16, ld64.lld-16 or llvm-lipo-16 not found\n");

/** A driver calling IOLog, OSObject and IOService methods (C++ mangled) and one unknown function. */
const DRIVER = `class OSObject { public: bool init(); void release() const; };
class IOService : public OSObject { public: bool start(IOService *); void stop(IOService *); IOService *getProvider() const; };
extern "C" void IOLog(const char *, ...);
extern "C" void com_example_nowhere(void);
extern "C" int kmod_info = 0;
extern "C" void com_example_driver_go(IOService *s, OSObject *o) {
  if (s->start(s->getProvider())) s->stop(s);
  if (o->init()) o->release();
  IOLog("hello");
  com_example_nowhere();
}
`;

/** A stand-in kernel: the Darwin banner and a few of the kernel's symbols (C++ ones by asm label). */
const KERNEL = `const char version[] = "Darwin Kernel Version 19.6.0: Thu Jun 18 20:49:00 PDT 2020; root:xnu-6153.141.1~1/RELEASE_X86_64";
void IOLog(const char *f, ...) {}
void lck_mtx_lock(void *m) {}
#define DEF(c, sym) void c(void) __asm__(sym); void c(void) {}
DEF(svc_start, "__ZN9IOService5startEPS_")
DEF(obj_release, "__ZNK8OSObject7releaseEv")
DEF(obj_init, "__ZN8OSObject4initEv")
DEF(cpu_start, "__ZN5IOCPU5startEP9IOService")
`;

const SYMBOLSETS = `<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict><key>SymbolsSets</key><array>
<dict><key>CFBundleIdentifier</key><string>com.apple.kpi.iokit</string><key>CFBundleVersion</key><string>21.6.0</string>
<key>OSBundleCompatibleVersion</key><string>7.0</string><key>Symbols</key><array>
<dict><key>SymbolName</key><string>_IOLog</string></dict>
<dict><key>SymbolName</key><string>__ZN9IOService5startEPS_</string></dict>
<dict><key>SymbolName</key><string>__ZN9IOService4stopEPS_</string></dict>
<dict><key>SymbolName</key><string>__ZNK9IOService11getProviderEv</string></dict></array></dict>
<dict><key>CFBundleIdentifier</key><string>com.apple.kpi.libkern</string><key>CFBundleVersion</key><string>21.6.0</string>
<key>OSBundleCompatibleVersion</key><string>8.0.0d0</string><key>Symbols</key><array>
<dict><key>SymbolPrefix</key><string>__ZN8OSObject</string></dict>
<dict><key>SymbolName</key><string>__ZNK8OSObject7releaseEv</string></dict></array></dict>
</array></dict></plist>
`;

/** Wraps a thin kernel as the com.apple.kernel entry of a kernel collection (file offsets rebased). */
function filesetOf(kernel: Uint8Array): Uint8Array {
  const base = 0x4000;
  const k = new Uint8Array(kernel);
  const v = new DataView(k.buffer);
  const image = parseMachOImage(k);
  for (const lc of image.loadCommands) {
    if (lc.kind === "symtab") {
      v.setUint32(lc.offset + 8, lc.symoff + base, true);
      v.setUint32(lc.offset + 16, lc.stroff + base, true);
    } else if (lc.kind === "segment") {
      v.setBigUint64(lc.offset + 40, lc.fileoff + BigInt(base), true);
      lc.sections.forEach((s, i) => { if (s.offset !== 0) v.setUint32(lc.offset + 72 + 80 * i + 48, s.offset + base, true); });
    }
  }
  const id = "com.apple.kernel\0";
  const entrySize = 32 + Math.ceil(id.length / 8) * 8;
  const out = new Uint8Array(base + k.length);
  const o = new DataView(out.buffer);
  [0xfeedfacf, image.header.cputype, image.header.cpusubtype, 0xc, 1, entrySize, 0, 0].forEach((x, i) => o.setUint32(4 * i, x >>> 0, true));
  o.setUint32(32, 0x80000035, true); // LC_FILESET_ENTRY
  o.setUint32(36, entrySize, true);
  o.setBigUint64(40, 0n, true);
  o.setBigUint64(48, BigInt(base), true);
  o.setUint32(56, 32, true);
  for (let i = 0; i < id.length; i++) out[64 + i] = id.charCodeAt(i);
  out.set(k, base);
  return out;
}

let dir = "";
let driver = "";
let empty = "";
beforeAll(() => {
  if (!toolchain) return;
  dir = tempDir("iokit-kextlibs-kpi-");
  empty = join(dir, "empty");
  mkdirSync(empty);
  driver = join(dir, "Driver.kext");
  writeKext(driver, kextInfo({ CFBundleExecutable: "Driver" }), { executable: false });
  mkdirSync(join(driver, "Contents", "MacOS"));
  writeFileSync(join(driver, "Contents", "MacOS", "Driver"), readFileSync(build(dir, "Driver", DRIVER, "c++", ["x86_64", "arm64"])));
  writeFileSync(join(dir, "symbolsets.plist"), SYMBOLSETS);
  build(dir, "kernel_plain", KERNEL, "c", ["x86_64"], [], false);
  build(dir, "kernel_sets", KERNEL, "c", ["x86_64", "arm64"], ["-sectcreate", "__LINKINFO", "__symbolsets", "symbolsets.plist"], false);
  writeFileSync(join(dir, "kernel.kc"), filesetOf(readFileSync(join(dir, "kernel_sets_x86_64"))));
}, 60_000);

describe.skipIf(!toolchain)("kextlibs with the kernel's KPI symbol sets", () => {
  it("resolves C and C++ I/O Kit symbols against the bundled sets and reports the unknown one", async () => {
    const r = await runTool(main, ["-undef-symbols", "-r", empty, driver], dir);
    expect(r.stdout).toBe("    com.apple.kpi.iokit = 20.4\n    com.apple.kpi.libkern = 20.4\n");
    expect(r.stderr).toBe("For all architectures:\n    1 symbol not found in any library kext:\n\t_com_example_nowhere\n");
    expect(r.status).toBe(1);
    const xml = await runTool(main, ["-xml", "-c", "-r", empty, driver], dir);
    expect(xml.stdout).toBe([
      "\t<key>OSBundleLibraries</key>", "\t<dict>", "\t\t<key>com.apple.kpi.iokit</key>", "\t\t<string>7.0</string>",
      "\t\t<key>com.apple.kpi.libkern</key>", "\t\t<string>8.0d0</string>", "\t</dict>", "",
    ].join("\n"));
    const one = await runTool(main, ["-onedef-symbols", "-arch", "arm64", "-r", empty, driver], dir);
    expect(one.stderr).toContain("    _IOLog in (xnu-7195.101.1)/System.kext/PlugIns/IOKit.kext (20.4)\n");
    expect(one.stderr).toContain("    __ZNK8OSObject7releaseEv in (xnu-7195.101.1)/System.kext/PlugIns/Libkern.kext (20.4)\n");
  });

  it("takes the sets embedded in a kernel's __LINKINFO,__symbolsets (thin, fat, and in a kernel collection)", async () => {
    for (const kernel of ["kernel_sets", "kernel.kc"]) {
      const r = await runTool(main, ["-undef-symbols", "-arch", "x86_64", "-kernel", join(dir, kernel), "-r", empty, driver], dir);
      expect(r.stdout).toBe("    com.apple.kpi.iokit = 21.6\n    com.apple.kpi.libkern = 21.6\n");
      // __ZN8OSObject4initEv resolves through the `__ZN8OSObject` prefix entry.
      expect(r.stderr).toBe("For all architectures:\n    1 symbol not found in any library kext:\n\t_com_example_nowhere\n");
    }
  });

  it("filters the bundled lists through an older kernel's symbol table, with the banner's version", async () => {
    const r = await runTool(main, ["-undef-symbols", "-arch", "x86_64", "-kernel", join(dir, "kernel_plain"), "-r", empty, driver], dir);
    expect(r.stdout).toBe("    com.apple.kpi.iokit = 19.6\n    com.apple.kpi.libkern = 19.6\n");
    // The stand-in kernel defines neither stop() nor getProvider(): they are not exported.
    expect(r.stderr).toBe([
      "For all architectures:", "    3 symbols not found in any library kext:",
      "\t__ZN9IOService4stopEPS_", "\t__ZNK9IOService11getProviderEv", "\t_com_example_nowhere", "",
    ].join("\n"));
  });

  it("explains a kernel that cannot serve", async () => {
    let r = await runTool(main, ["-arch", "arm64", "-kernel", join(dir, "kernel_plain"), "-r", empty, driver], dir);
    expect(r.stderr).toBe(`${join(dir, "kernel_plain")} does not contain code for architecture arm64.\n`);
    expect(r.status).toBe(66);
    r = await runTool(main, ["-kernel", join(dir, "symbolsets.plist"), "-r", empty, driver], dir);
    expect(r.stderr).toBe(`${join(dir, "symbolsets.plist")}: The file was not recognized as a valid object file (at offset 0).\n`);
    expect(r.status).toBe(66);
    r = await runTool(main, ["-kernel", join(dir, "missing"), driver], dir);
    expect(r.stderr).toBe(`Can't stat ${join(dir, "missing")} - No such file or directory.\n`);
  });
});
