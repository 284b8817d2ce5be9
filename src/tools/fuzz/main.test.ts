/**
 * `iokit fuzz` against a real daemon process: random routine calls on the unprivileged and the
 * privileged socket, then random user-client calls. Each run must report no anomalies, and the
 * daemon must still answer afterwards with no user clients or notifications left behind.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testExtensions } from "../../host/testExtensions.ts";
import { startDaemonProcess } from "../../../test/support/runNode.ts";
import { captureIO } from "../ToolIO.ts";
import { main as ioclasscount } from "../ioclasscount/main.ts";
import { main } from "./main.ts";

describe("iokit fuzz against a daemon process", () => {
  let socket: string;
  let stop: () => void;
  beforeAll(async () => {
    ({ socket, stop } = await startDaemonProcess(await testExtensions(), "iokit-fuzz-"));
  }, 60_000);
  afterAll(() => stop());

  const fuzz = async (...args: string[]) => {
    const io = captureIO({ env: { IOKIT_SOCKET: socket } });
    const code = await main(args, io);
    return { code, out: io.out(), err: io.err() };
  };

  it("routines: every random call gets a result or a known IOReturn, on both sockets", async () => {
    const plain = await fuzz("routines", "--calls", "3000", "--seed", "5");
    expect(plain.err).toBe("");
    expect(plain.out).toMatch(/^fuzz routines: 3000 calls against \d+ routines \(daemon\), seed 5\n/);
    expect(plain.out).toContain("  routine bsd_open\n");
    expect(plain.out).toMatch(/kIOReturnNotPrivileged: \d+/); // the privileged routines refused
    expect(plain.out).toContain("  anomalies: 0\n");
    expect(plain.code).toBe(0);
    const priv = await fuzz("routines", "--privileged", "--calls", "3000", "--seed", "6");
    expect(priv.out).toContain("(daemon, privileged)");
    expect(priv.out).not.toMatch(/kIOReturnNotPrivileged/);
    expect(priv.out).toContain("  anomalies: 0\n");
    expect(priv.code).toBe(0);
  }, 120_000);

  it("userclient after the routine fuzz: still no anomalies, and nothing left behind", async () => {
    const r = await fuzz("userclient", "--calls", "2000", "--seed", "7");
    expect(r.out).toContain("  anomalies: 0\n");
    expect(r.code).toBe(0);
    const io = captureIO({ env: { IOKIT_SOCKET: socket } });
    expect(await ioclasscount(["IOUserClient", "IOServiceUserNotification"], io)).toBe(0);
    expect(io.out()).toBe("IOUserClient = 0, IOServiceUserNotification = 0\n");
  }, 120_000);

  it("--privileged goes with routines only", async () => {
    const r = await fuzz("userclient", "--privileged");
    expect(r.code).toBe(64);
    expect(r.err).toContain("--privileged goes with routines");
  });
});
