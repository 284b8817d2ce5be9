/**
 * The character-device sample across processes: an `iokit boot` daemon (its own process) with the
 * bundled extensions, the example client (a third process) driving `/dev/samplechar` and the
 * driver's user client, and a client killed while it holds the node open.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IOKitLib, serviceMatching } from "../libiokit/index.ts";
import { SocketTransport } from "./SocketTransport.ts";
import { testExtensions } from "./testExtensions.ts";
import { runNode } from "../../test/support/runNode.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));


let daemon: ChildProcess;
let socket: string;
beforeAll(async () => {
  const extensions = await testExtensions();
  socket = join(mkdtempSync(join(tmpdir(), "iokit-chardev-")), "iokit.sock");
  daemon = spawn(process.execPath, [join(ROOT, "bin/iokit.mjs"), "boot", "--socket", socket, "--extensions", extensions], {
    cwd: ROOT, env: { ...process.env, IOKIT_DEV: "1" }, stdio: "ignore",
  });
  for (let i = 0; i < 600 && !existsSync(`${socket}.priv`); i++) await sleep(50);
});
afterAll(() => {
  if (daemon.exitCode === null) daemon.kill("SIGTERM");
});

describe("SampleCharDevice from other processes", () => {
  it("the example client reaches the driver through /dev/samplechar and its user client", async () => {
    const r = await runNode(["--import", "tsx", "examples/chardev-client.ts"], { IOKIT_SOCKET: socket });
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\/dev\/samplechar: c \d+,0 mode 666 uid 0 gid 0\n/);
    expect(r.out).toContain('read: "hello, kernel"');
    expect(r.out).toContain('read in upper-case mode: "QUIET PLEASE"');
    expect(r.out).toContain("user client injected 13 bytes");
    expect(r.out).toContain('peek: "from"');
    expect(r.out).toContain('read: "from the wire"');
    expect(r.out).toContain("read with nothing waiting: EAGAIN (read /dev/samplechar: Resource temporarily unavailable)");
    const stats = /ioctl \[(.*)\], user client \[(.*)\]/.exec(r.out);
    expect(stats?.[1]).toBe(stats?.[2]);
  });

  it("a client killed while blocked in read leaves no open file behind: the device powers down", async () => {
    const holder = spawn(process.execPath, ["--import", "tsx", "-e", `
      import { connectIOKit } from "./src/host/index.ts";
      const { lib } = await connectIOKit();
      const fd = await lib.open("/dev/samplechar");
      console.log("open");
      await fd.read(1);
    `], { cwd: ROOT, env: { ...process.env, IOKIT_SOCKET: socket }, stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((r) => holder.stdout?.once("data", () => r()));
    const lib = new IOKitLib(await SocketTransport.connect(socket));
    const [driver] = await lib.getMatchingServices(serviceMatching("SampleCharDevice"));
    if (driver === undefined) throw new Error("SampleCharDevice did not start in the daemon");
    const poweredBecomes = async (want: boolean): Promise<unknown> => {
      let v = await driver.property("Powered");
      for (let i = 0; i < 200 && v !== want; i++) {
        await sleep(50);
        v = await driver.property("Powered");
      }
      return v;
    };
    expect(await poweredBecomes(true)).toBe(true);
    holder.kill("SIGKILL");
    // The daemon closes the dead task's descriptor; a second after the last close the driver powers down.
    expect(await poweredBecomes(false)).toBe(false);
    await driver.release();
    lib.close();
  });
});
