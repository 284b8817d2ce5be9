import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { captureIO } from "../ToolIO.ts";
import { main } from "./main.ts";

describe("iokit cycle sleep", () => {
  it("--json prints {cycles, failures, instanceDrift, virtualMs} and exits 0 on a clean machine", async () => {
    const io = captureIO();
    const rc = await main(["sleep", "--count", "3", "--devices", "50", "--seed", "2", "--json"], io);
    const out = JSON.parse(io.out());
    expect(Object.keys(out)).toEqual(["cycles", "failures", "instanceDrift", "virtualMs"]);
    expect(out.cycles).toBe(3);
    expect(out.failures).toEqual([]);
    expect(out.instanceDrift).toEqual({});
    expect(out.virtualMs).toBeGreaterThanOrEqual(3000); // 1 s asleep per cycle
    expect(rc).toBe(0);
  });

  it("reports faulty drivers from a --machine file by bundle, and keeps cycling", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cycle-"));
    const file = join(dir, "machine.json");
    writeFileSync(file, JSON.stringify({ devices: 50, seed: 5, faults: { neverAck: 1, throws: 1, doubleAck: 1, nonsense: 1 } }));
    const io = captureIO();
    const rc = await main(["sleep", "--count", "2", "--machine", file, "--json"], io);
    const out = JSON.parse(io.out());
    expect(rc).toBe(1);
    expect(out.cycles).toBe(2);
    const kinds = new Set(out.failures.map((f: { kind: string; bundle: string }) => `${f.kind}:${f.bundle}`));
    expect(kinds).toEqual(new Set(["ackTimeout:com.example.faulty", "threw:com.example.faulty", "unexpectedAck:com.example.faulty", "nonsense:com.example.faulty"]));
    // The never-acknowledging driver costs 10.1 s on each of its transitions (sleep and wake).
    expect(out.virtualMs).toBeGreaterThanOrEqual(2 * 2 * 10_100);
  });

  it("usage errors print one line and the usage, exit 64", async () => {
    for (const argv of [["sleep"], ["sleep", "--count", "x"], ["wake", "--count", "1"], ["sleep", "--count", "1", "--machine", "/nonexistent/m.json"]]) {
      const io = captureIO();
      expect(await main(argv, io)).toBe(64);
      expect(io.err().split("\n")[0]).toMatch(/^iokit cycle: |^usage:/);
      expect(io.out()).toBe("");
    }
  });
});
