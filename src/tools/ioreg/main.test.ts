import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseXMLPlist, snapshotDifference } from "../../formats/index.ts";
import { OSNumber } from "../../libkern/index.ts";
import { importDump } from "./loadDump.ts";
import { captureIO } from "../ToolIO.ts";
import { main } from "./main.ts";

const DUMP = [
  "+-o Root  <class IORegistryEntry, id 0x100000100, retain 9>",
  "  | {",
  '  |   "IORegistryPlanes" = {"IOService"="IOService","IODeviceTree"="IODeviceTree"}',
  "  | }",
  "  | ",
  "  +-o Mac  <class IOPlatformExpertDevice, id 0x100000101, registered, matched, active, busy 0 (5 ms), retain 4>",
  "      {",
  '        "model" = <"Mac1,1">',
  '        "serial" = <--->',
  "      }",
  "      ",
  "",
].join("\n");

function tempDump(text: string | Uint8Array, name = "dump.txt"): string {
  const dir = mkdtempSync(join(tmpdir(), "ioreg-"));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function run(argv: string[], options: Parameters<typeof captureIO>[0] = {}) {
  const io = captureIO(options);
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err(), bytes: io.outBytes() };
}

describe("iokit ioreg", () => {
  it("shows the embedded kernel's registry", async () => {
    const r = await run([]);
    expect(r.code).toBe(0);
    expect(r.out.split("\n")[0]).toMatch(/^\+-o Root  <class IORegistryEntry, id 0x100000100, retain \d+>$/);
    expect(r.out.split("\n")[1]).toMatch(/^  \+-o \S+  <class IOPlatformExpertDevice, id 0x100000101, registered, matched, active, busy 0(?: \(\d+ ms\))?, retain \d+>$/);
    expect(r.out).toContain("    +-o IOResources  <class IOResources, id 0x100000102, registered, matched, active");
    expect(r.out).toContain("    +-o IOUserResources  <class IOUserResources");
  });

  it("renders an imported dump with any flags", async () => {
    const path = tempDump(DUMP);
    expect((await run(["--import", path, "-l"])).out).toBe(DUMP);
    const c = await run(["--import", path, "-c", "IOPlatformExpertDevice", "-w", "30"]);
    expect(c.out.split("\n")[0]).toBe("+-o Root  <class IORegistryEn$");
    expect(c.out).toContain('      "model" = <"Mac1,1">');
  });

  it("warns about a damaged dump but shows what precedes the damage; --strict makes it an error", async () => {
    const path = tempDump(DUMP.split("\n").slice(0, 8).join("\n"));
    const r = await run(["--import", path, "-l"]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^ioreg: warning: .*dump\.txt: line 8: input ends inside a property block; showing what precedes it\.\n$/);
    expect(r.out).toContain("+-o Mac  <class IOPlatformExpertDevice");
    const s = await run(["--import", path, "--strict"]);
    expect(s.code).toBe(1);
    expect(s.err).toMatch(/^ioreg: error: .*dump\.txt: line 8: input ends inside a property block\.\n$/);
  });

  it("refuses a file that is no dump at all instead of showing an empty Root", async () => {
    const path = tempDump("hello world\nnot a dump\n");
    const r = await run(["--import", path, "-l"]);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toMatch(/^ioreg: error: .*dump\.txt: line 1: unrecognised line\.\n$/);
  });

  it("reports errors as ioreg does: one line, exit 1", async () => {
    const missing = await run(["--import", "/nonexistent/x.txt"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe('ioreg: error: can\'t open "/nonexistent/x.txt": ENOENT.\n');
    const plane = await run(["-p", "IONoSuchPlane"]);
    expect(plane.code).toBe(1);
    expect(plane.err).toBe('ioreg: error: plane "IONoSuchPlane" not found.\n');
    const usage = await run(["-Q"]);
    expect(usage.code).toBe(1);
    expect(usage.err.startsWith("usage: ioreg [-abfilrtxy]")).toBe(true);
  });

  it("writes ioreg -a archives that re-import to the same registry", async () => {
    const path = tempDump(DUMP);
    const a = await run(["--import", path, "-a", "-l"]);
    expect(a.out.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC')).toBe(true);
    const root = parseXMLPlist(a.out) as Map<string, unknown>;
    expect(root.get("IORegistryEntryName")).toBe("Root");
    expect((root.get("IORegistryEntryID") as OSNumber).value).toBe(0x100000100n);
    const mac = (root.get("IORegistryEntryChildren") as Map<string, unknown>[])[0] as Map<string, unknown>;
    expect((mac.get("IOServiceState") as OSNumber).value).toBe(6n);
    expect((mac.get("IOServiceBusyTime") as OSNumber).value).toBe(5_000_000n);
    const again = importDump(new TextEncoder().encode(a.out)).snapshot;
    expect(snapshotDifference(importDump(new TextEncoder().encode(DUMP)).snapshot, again, "IOService")).toBeUndefined();
    const r = parseXMLPlist((await run(["--import", path, "-a", "-r", "-n", "Mac"])).out) as Map<string, unknown>[];
    expect(r).toHaveLength(1);
    expect(r[0]?.get("model")).toEqual(new TextEncoder().encode("Mac1,1\0"));
  });

  it("uses the terminal width when stdout is a terminal", async () => {
    const r = await run([], { isTTY: true, columns: 12 });
    expect(r.out.split("\n").every((l) => l.length <= 12)).toBe(true);
  });
});
