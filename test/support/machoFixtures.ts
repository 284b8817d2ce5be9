/**
 * Mach-O fixtures built on the fly with the LLVM 16 toolchain (clang-16, ld64.lld-16, llvm-lipo-16):
 * objects, dylibs and bundles for x86_64 and arm64 macOS, a fat dylib, and a kext bundle (an
 * MH_BUNDLE whose filetype is patched to MH_KEXT_BUNDLE, since ld64.lld has no -kext). Built once
 * per test process into a temporary directory; `undefined` (with a message) when a tool is missing.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** True when `tool` runs. */
export function haveTool(tool: string): boolean {
  const r = spawnSync(tool, ["--version"], { stdio: "ignore" });
  return r.status === 0;
}

const C_SOURCE = `int printf(const char *, ...);
int counter = 3;
int common_thing;
static int hidden_helper(int x) { return x * 2; }
__attribute__((weak)) int weak_fn(void) { return 1; }
__attribute__((visibility("hidden"))) int private_ext = 5;
extern int external_data;
int com_example_driver_start(void) { printf("hi %d\\n", hidden_helper(counter) + external_data); return weak_fn(); }
int kmod_info = 0;
`;

const CXX_SOURCE = `namespace com_example { class Driver { public: virtual ~Driver(); virtual int start(int); static int count; }; }
com_example::Driver::~Driver() {}
int com_example::Driver::start(int x) { return x + count; }
int com_example::Driver::count = 1;
int unprefixed_global(void) { return 2; }
`;

export interface MachOFixtures {
  readonly dir: string;
  /** Fixture name → absolute path. */
  readonly files: Readonly<Record<string, string>>;
}

let cached: MachOFixtures | undefined | null = null;

/** Builds (once) and returns the fixtures, or undefined when the LLVM tools are absent. */
export function machOFixtures(): MachOFixtures | undefined {
  if (cached !== null) return cached;
  const tools = ["clang-16", "ld64.lld-16", "llvm-lipo-16"];
  const missing = tools.filter((t) => !haveTool(t));
  if (missing.length > 0) {
    process.stderr.write(`Mach-O fixture tests skipped: ${missing.join(", ")} not found (apt-get install clang-16 lld-16 llvm-16)\n`);
    cached = undefined;
    return cached;
  }
  const dir = mkdtempSync(join(tmpdir(), "iokit-macho-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const run = (cmd: string, args: string[]): void => {
    execFileSync(cmd, args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  };
  writeFileSync(join(dir, "a.c"), C_SOURCE);
  writeFileSync(join(dir, "b.cpp"), CXX_SOURCE);
  const files: Record<string, string> = {};
  for (const arch of ["x86_64", "arm64"] as const) {
    run("clang-16", ["-target", `${arch}-apple-macos11`, "-fcommon", "-g", "-c", "a.c", "-o", `a_${arch}.o`]);
    run("clang-16", ["-target", `${arch}-apple-macos11`, "-c", "b.cpp", "-o", `b_${arch}.o`]);
    const ver = arch === "arm64" ? "12.0" : "11.0";
    const common = ["-arch", arch, "-platform_version", "macos", ver, ver, "-undefined", "dynamic_lookup", "-adhoc_codesign"];
    const chained = arch === "arm64" ? ["-fixup_chains"] : [];
    run("ld64.lld-16", [...common, ...chained, "-dylib", "-install_name", "@rpath/libdemo.dylib", "-rpath", "@loader_path/../Frameworks", `a_${arch}.o`, `b_${arch}.o`, "-o", `libdemo_${arch}.dylib`]);
    run("ld64.lld-16", [...common, ...chained, "-bundle", `a_${arch}.o`, `b_${arch}.o`, "-o", `demo_${arch}.bundle`]);
    files[`a_${arch}.o`] = join(dir, `a_${arch}.o`);
    files[`b_${arch}.o`] = join(dir, `b_${arch}.o`);
    files[`libdemo_${arch}.dylib`] = join(dir, `libdemo_${arch}.dylib`);
    files[`demo_${arch}.bundle`] = join(dir, `demo_${arch}.bundle`);
    // A kext: MH_BUNDLE with filetype patched to MH_KEXT_BUNDLE (0xB).
    const kext = readFileSync(join(dir, `demo_${arch}.bundle`));
    kext.writeUInt32LE(0xb, 12);
    writeFileSync(join(dir, `demo_${arch}.kext`), kext);
    files[`demo_${arch}.kext`] = join(dir, `demo_${arch}.kext`);
  }
  run("clang-16", ["-target", "i386-apple-macos10.6", "-c", "a.c", "-o", "a_i386.o"]);
  files["a_i386.o"] = join(dir, "a_i386.o");
  run("llvm-lipo-16", ["-create", "libdemo_x86_64.dylib", "libdemo_arm64.dylib", "-output", "libdemo_fat.dylib"]);
  files["libdemo_fat.dylib"] = join(dir, "libdemo_fat.dylib");
  run("llvm-lipo-16", ["-create", "a_x86_64.o", "a_arm64.o", "a_i386.o", "-output", "a_fat.o"]);
  files["a_fat.o"] = join(dir, "a_fat.o");
  cached = { dir, files };
  return cached;
}

/** Runs an oracle tool; stdout, stderr and status. */
export function oracle(tool: string, args: string[], cwd: string): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(tool, args, { cwd, encoding: "latin1", env: { ...process.env, TZ: "UTC" }, maxBuffer: 256 * 1024 * 1024 });
  return { stdout: r.stdout ?? "", stderr: r.stderr ?? "", status: r.status ?? -1 };
}

/** Runs a tool's main in-process on a captured IO; stdout decoded byte for byte (latin1). */
export async function runTool(
  main: (argv: string[], io: import("../../src/tools/ToolIO.ts").ToolIO) => Promise<number>, args: string[], cwd: string,
): Promise<{ stdout: string; stderr: string; status: number }> {
  const { captureIO } = await import("../../src/tools/ToolIO.ts");
  const io = captureIO({ cwd });
  const status = await main(args, io);
  return { stdout: Buffer.from(io.outBytes()).toString("latin1"), stderr: io.err(), status };
}

/**
 * Compiles `source` (C or C++) and links `name` in `dir` for each arch with clang-16/ld64.lld-16
 * (fat through llvm-lipo-16 when several). `kext` links a bundle and patches MH_BUNDLE to
 * MH_KEXT_BUNDLE (ld64.lld has no -kext); otherwise a dylib. Undefined symbols are left for the
 * kext loader (`-undefined dynamic_lookup`). `extra` goes to the linker. Returns the output path.
 */
export function buildKextMachO(
  dir: string, name: string, source: string, lang: "c" | "c++", archs: readonly string[], extra: string[] = [], kext = true,
): string {
  writeFileSync(join(dir, `${name}.src`), source);
  const outs = archs.map((arch) => {
    const ver = arch === "arm64" ? "12.0" : "11.0";
    execFileSync("clang-16", ["-x", lang, "-target", `${arch}-apple-macos${ver}`, "-fno-exceptions", "-fno-rtti", "-c", `${name}.src`, "-o", `${name}_${arch}.o`], { cwd: dir });
    execFileSync("ld64.lld-16", ["-arch", arch, "-platform_version", "macos", ver, ver, "-undefined", "dynamic_lookup",
      ...(kext ? ["-bundle", "-fixup_chains"] : ["-dylib"]), `${name}_${arch}.o`, "-o", `${name}_${arch}`, ...extra], { cwd: dir });
    if (kext) {
      const bytes = readFileSync(join(dir, `${name}_${arch}`));
      bytes.writeUInt32LE(0xb, 12);
      writeFileSync(join(dir, `${name}_${arch}`), bytes);
    }
    return `${name}_${arch}`;
  });
  if (outs.length === 1) writeFileSync(join(dir, name), readFileSync(join(dir, outs[0]!)));
  else execFileSync("llvm-lipo-16", ["-create", ...outs, "-output", name], { cwd: dir });
  return join(dir, name);
}
