import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeBinaryPlist } from "../formats/index.ts";
import { dict } from "../libkern/index.ts";
import { MachineFileError, readMachineFile } from "./readMachineFile.ts";

describe("readMachineFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "machine-file-"));
  it("reads XML and binary plists", () => {
    writeFileSync(join(dir, "m.bplist"), writeBinaryPlist(dict({ Model: "Mac1,1" })));
    writeFileSync(join(dir, "m.plist"), '<plist version="1.0"><dict><key>Model</key><string>Mac1,1</string></dict></plist>');
    for (const f of ["m.bplist", "m.plist"]) expect((readMachineFile(join(dir, f)) as Map<string, unknown>).get("Model")).toBe("Mac1,1");
  });
  it("names the file in every failure, with Darwin's strerror text or the parser's position", () => {
    const fail = (p: string) => { try { readMachineFile(p); } catch (e) { return e as MachineFileError; } throw new Error("no error"); };
    expect(fail(join(dir, "missing.plist"))).toMatchObject({ path: join(dir, "missing.plist"), detail: "No such file or directory" });
    expect(fail(dir).detail).toBe("Is a directory");
    writeFileSync(join(dir, "bad.plist"), "<plist><dict><key>a</key></plist>");
    const bad = fail(join(dir, "bad.plist"));
    expect(bad).toBeInstanceOf(MachineFileError);
    expect(bad.message).toMatch(new RegExp(`^${join(dir, "bad.plist").replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: not a property list: .*line 1`));
  });
});
