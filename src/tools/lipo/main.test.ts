import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { machOInputs } from "../../../test/support/machoInputs.ts";
import { haveTool, machOFixtures, oracle } from "../../../test/support/machoFixtures.ts";
import { captureIO } from "../ToolIO.ts";
import { main } from "./main.ts";

const HAVE = haveTool("llvm-lipo-16");
if (!HAVE) process.stderr.write("lipo oracle tests skipped: llvm-lipo-16 not found\n");

async function ours(args: string[], cwd: string): Promise<{ stdout: string; stderr: string; status: number }> {
  const io = captureIO({ cwd });
  const status = await main(args, io);
  return { stdout: io.out(), stderr: io.err(), status };
}

describe.skipIf(!HAVE)("iokit lipo agrees with llvm-lipo-16", () => {
  const inputs = machOInputs();
  for (const action of ["-info", "-archs"]) {
    it.each(inputs.map((i) => [i.label, i] as const))(`${action} %s`, async (_label, input) => {
      const got = await ours([action, input.name], input.dir);
      const want = oracle("llvm-lipo-16", [action, input.name], input.dir);
      expect(got.status).toBe(want.status);
      // llvm-lipo prints a partial -info line before failing on a bad slice; we print only the error.
      if (want.status === 0) expect(got.stdout).toBe(want.stdout);
      else expect(got.stderr.replace(/^lipo: /, "")).toBe(want.stderr.replace(/^llvm-lipo: /, ""));
    });
  }

  const fx = machOFixtures();
  it.skipIf(fx === undefined)("-create, -thin and -extract write the same bytes as llvm-lipo", async () => {
    const out = mkdtempSync(join(tmpdir(), "iokit-lipo-"));
    const cases: string[][] = [
      ["-create", join(fx!.dir, "libdemo_arm64.dylib"), join(fx!.dir, "libdemo_x86_64.dylib")],
      ["-create", join(fx!.dir, "a_i386.o"), join(fx!.dir, "a_arm64.o"), join(fx!.dir, "a_x86_64.o")],
      [join(fx!.dir, "libdemo_fat.dylib"), "-thin", "arm64"],
      [join(fx!.dir, "a_fat.o"), "-extract", "i386"],
    ];
    for (const [i, args] of cases.entries()) {
      const mine = join(out, `mine${i}`);
      const theirs = join(out, `theirs${i}`);
      expect((await ours([...args, "-output", mine], out)).status).toBe(0);
      expect(oracle("llvm-lipo-16", [...args, "-output", theirs], out).status).toBe(0);
      expect(Buffer.compare(readFileSync(mine), readFileSync(theirs))).toBe(0);
      expect(statSync(mine).mode & 0o777).toBe(statSync(theirs).mode & 0o777);
    }
    // No temporary files are left behind.
    expect(readdirSync(out).filter((n) => n.startsWith("."))).toEqual([]);
  });

  it.skipIf(fx === undefined)("fails with llvm-lipo's messages and writes nothing", async () => {
    const out = mkdtempSync(join(tmpdir(), "iokit-lipo-"));
    const target = join(out, "never");
    const cases: string[][] = [
      [join(fx!.dir, "libdemo_x86_64.dylib"), "-thin", "x86_64", "-output", target],
      [join(fx!.dir, "libdemo_fat.dylib"), "-thin", "ppc", "-output", target],
      [join(fx!.dir, "libdemo_fat.dylib"), "-thin", "bogus", "-output", target],
      [join(fx!.dir, "libdemo_fat.dylib"), "-thin", "arm64"],
      ["-create", join(fx!.dir, "libdemo_x86_64.dylib"), join(fx!.dir, "libdemo_x86_64.dylib"), "-output", target],
      [join(fx!.dir, "libdemo_fat.dylib")],
    ];
    for (const args of cases) {
      const got = await ours(args, out);
      const want = oracle("llvm-lipo-16", args, out);
      expect(got.status).toBe(1);
      expect(want.status).toBe(1);
      expect(got.stderr.replace(/^lipo: /, "")).toBe(want.stderr.replace(/^llvm-lipo: /, ""));
      expect(existsSync(target)).toBe(false);
    }
  });

  it.skipIf(fx === undefined)("-verify_arch exits 0 when every architecture is present, 1 otherwise", async () => {
    expect((await ours(["libdemo_fat.dylib", "-verify_arch", "x86_64", "arm64"], fx!.dir)).status).toBe(0);
    expect((await ours(["libdemo_fat.dylib", "-verify_arch", "i386"], fx!.dir)).status).toBe(1);
  });
});

describe("iokit lipo --help", () => {
  it("prints the options on stdout, exit 0, for -help, --help and -h; every action it lists is accepted", async () => {
    for (const flag of ["--help", "-help", "-h"]) {
      const got = await ours([flag], process.cwd());
      expect(got).toMatchObject({ status: 0, stderr: "" });
      expect(got.stdout).toMatch(/^OVERVIEW: .*\n\nUSAGE: iokit lipo /);
    }
    const help = (await ours(["--help"], process.cwd())).stdout;
    const listed = [...help.matchAll(/^ {2}(-\w+)( <value>)*/gm)].map((m) => [m[1] as string, ...Array.from({ length: (m[0].match(/<value>/g) ?? []).length }, () => "x")]);
    expect(listed.length).toBeGreaterThan(5);
    for (const args of listed) expect((await ours([...args, "/nonexistent/x"], process.cwd())).stderr, args[0]).not.toMatch(/unknown argument/);
  });
});
