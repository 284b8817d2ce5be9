import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kIOReturnNotPrivileged } from "../../base/index.ts";
import { Routine } from "../../ipc/index.ts";
import { IOKitLib, serviceMatching } from "../../libiokit/index.ts";
import { SocketTransport } from "../../host/index.ts";
import { captureIO } from "../ToolIO.ts";
import { main as boot } from "./main.ts";
import { main as kextstat } from "../kextstat/main.ts";
import { main as kextload } from "../kextload/main.ts";
import { main as kextunload } from "../kextunload/main.ts";
import { main as log } from "../log/main.ts";
import { main as fuzz } from "../fuzz/main.ts";
import { runNode } from "../../../test/support/runNode.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
const KEXTS = join(ROOT, "kexts");
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));


describe("iokit boot --once", () => {
  it("boots the bundled kexts, waits for quiescence and prints the summary", async () => {
    const io = captureIO();
    expect(await boot(["--once", "--extensions", KEXTS], io)).toBe(0);
    expect(io.out()).toMatch(/^1 kext loaded, 1 driver matched, quiescent after [\d.]+ ms\n/);
    expect(io.out()).toContain("driver SimpleUserClientDriver (org.iokit-ts.driver.SimpleUserClient) on IOResources");
  });

  it("names the --machine file in one line, whatever is wrong with it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "boot-machine-"));
    writeFileSync(join(dir, "garbage.plist"), new Uint8Array([0x80, 0x81, 0x82, 0x00]));
    writeFileSync(join(dir, "bad.plist"), `<?xml version="1.0"?><plist><dict><key>pci</key><string>x</string></dict></plist>`);
    for (const file of [join(dir, "missing.plist"), dir, join(dir, "garbage.plist"), join(dir, "bad.plist")]) {
      const io = captureIO();
      expect(await boot(["--once", "--extensions", KEXTS, "--machine", file], io)).toBe(1);
      expect(io.err()).toMatch(new RegExp(`^iokit boot: ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: [^\n]+\n$`));
      expect(io.err()).not.toMatch(/ENOENT|EISDIR|    at /);
    }
  });

  it("rejects a missing extensions folder in one line", async () => {
    const io = captureIO();
    expect(await boot(["--once", "--extensions", "/nonexistent/kexts"], io)).toBe(1);
    expect(io.err()).toBe("iokit boot: /nonexistent/kexts: no such extensions folder\n");
  });
});

describe("the daemon with real processes", () => {
  let daemon: ChildProcess;
  let socket: string;
  let exited: Promise<number | null>;
  beforeAll(async () => {
    socket = join(mkdtempSync(join(tmpdir(), "iokit-e2e-")), "iokit.sock");
    daemon = spawn(process.execPath, [join(ROOT, "bin/iokit.mjs"), "boot", "--socket", socket, "--extensions", KEXTS], {
      cwd: ROOT, env: { ...process.env, IOKIT_DEV: "1" }, stdio: "ignore",
    });
    exited = new Promise((r) => daemon.on("exit", (code) => r(code)));
    for (let i = 0; i < 400 && !existsSync(`${socket}.priv`); i++) await sleep(50);
  });
  afterAll(() => {
    if (daemon.exitCode === null) daemon.kill("SIGKILL");
  });

  it("drives the sample kext from another process", async () => {
    const r = await runNode(["--import", "tsx", "examples/simple-client.ts"], { IOKIT_SOCKET: socket });
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("scalar: 6 + 7 = 13, 6 * 7 = 42");
    expect(r.out).toContain('"stressed" reversed is "desserts"');
    expect(r.out).toContain("fixed with 15 bytes: invalid argument (0xe00002c2)");
    expect(r.out).toContain("async: completed with 50");
    expect(r.out).toContain("driver sums 300");
  });

  it("serves kextstat, log and fuzz, and keeps kext management privileged", async () => {
    const env = { IOKIT_SOCKET: socket };
    const stat = captureIO({ env });
    expect(await kextstat(["-l", "-k"], stat)).toBe(0);
    expect(stat.out()).toMatch(/^ {4}\d {4}0 0 {18}0 {10}0 {10}org\.iokit-ts\.driver\.SimpleUserClient \(1\.0\) no UUID <\d+ \d+>\n$/);
    const plain = new IOKitLib(await SocketTransport.connect(socket));
    await expect(plain.call(Routine.kextLoad, [], ["org.iokit-ts.driver.SimpleUserClient"])).rejects.toMatchObject({ code: kIOReturnNotPrivileged });
    plain.close();
    const f = captureIO({ env });
    expect(await fuzz(["userclient", "--calls", "1500", "--seed", "3"], f)).toBe(0);
    expect(f.out()).toContain("anomalies: 0");
    const l = captureIO({ env });
    expect(await log([], l)).toBe(0);
    expect(l.out()).toMatch(/\] SimpleUserClientDriver: started\n/);
  });

  it("unloads and reloads the sample kext through the privileged socket", async () => {
    const env = { IOKIT_SOCKET: socket };
    expect(await kextunload(["-b", "org.iokit-ts.driver.SimpleUserClient"], captureIO({ env }))).toBe(0);
    const lib = new IOKitLib(await SocketTransport.connect(socket));
    expect(await lib.getMatchingServices(serviceMatching("SimpleUserClientDriver"))).toEqual([]);
    const load = captureIO({ env, cwd: ROOT });
    expect(await kextload(["kexts/SimpleUserClient.kext"], load)).toBe(0);
    expect(load.err()).toBe("");
    expect((await lib.getMatchingServices(serviceMatching("SimpleUserClientDriver"))).length).toBe(1);
    expect((await lib.getMatchingServices(serviceMatching("IOResources"))).length).toBe(1);
    const stat = captureIO({ env });
    expect(await kextstat(["-l", "-b", "org.iokit-ts.driver.SimpleUserClient"], stat)).toBe(0);
    expect(stat.out()).toContain("org.iokit-ts.driver.SimpleUserClient (1.0)");
    lib.close();
  });

  it("shuts down cleanly on SIGTERM, removing its sockets", async () => {
    daemon.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(existsSync(socket)).toBe(false);
    expect(existsSync(`${socket}.priv`)).toBe(false);
  });
});
