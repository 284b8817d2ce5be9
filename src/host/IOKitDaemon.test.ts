import { mkdtempSync, statSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  IOReturnError, ioReturnName, kIOReturnBadArgument, kIOReturnBadMessageID, kIOReturnNotPermitted, kIOReturnNotPrivileged,
} from "../base/index.ts";
import { OSMetaClass } from "../kernel/index.ts";
import { FrameReader, Routine, decodeWire, encodeFrame, parseIncoming, requestMessage, type WireValue } from "../ipc/index.ts";
import { IOKitLib, nameMatching } from "../libiokit/index.ts";
import { kOpenEntitlement, publishFixtures, Sel } from "../../test/support/userClientFixtures.ts";
import { IOKitDaemon } from "./IOKitDaemon.ts";
import { SocketTransport } from "./SocketTransport.ts";
import { bootKernel, type BootedKernel } from "./bootKernel.ts";

let booted: BootedKernel;
let daemon: IOKitDaemon;
let path: string;
const COUNTED = ["IOUserClient", "IOUserNotification", "IOMemoryDescriptor", "IOUserNotificationPort"];
const counts = (): number[] => COUNTED.map((c) => OSMetaClass.getMetaClassWithName(c)?.getInstanceCount() ?? 0);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function settle(base: number[]): Promise<number[]> {
  for (let i = 0; i < 400 && (daemon.connectionCount > 0 || booted.server.sessionCount > 0 || counts().some((c, j) => c !== base[j])); i++) await sleep(5);
  return counts();
}

function raw(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
}

/** Sends bytes; resolves with the replies received until the server closes (or `wantReplies` arrive). */
async function exchange(bytes: Uint8Array, wantReplies = Infinity): Promise<{ replies: WireValue[]; closed: boolean }> {
  const s = await raw();
  const reader = new FrameReader();
  const replies: WireValue[] = [];
  return new Promise((resolve) => {
    let done = false;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      s.destroy();
      resolve({ replies, closed });
    };
    s.on("data", (c: Buffer) => {
      for (const f of reader.push(new Uint8Array(c))) replies.push(decodeWire(f));
      if (replies.length >= wantReplies) finish(false);
    });
    s.on("close", () => finish(true));
    s.write(bytes);
    setTimeout(() => finish(false), 2000);
  });
}

beforeAll(async () => {
  booted = await bootKernel({ extensions: null, realTime: true });
  publishFixtures(booted.kernel);
  path = join(mkdtempSync(join(tmpdir(), "iokitd-")), "iokit.sock");
  daemon = await IOKitDaemon.start(booted.server, { socketPath: path });
});
afterAll(async () => {
  await daemon.close();
  booted.kernel.scheduler.stop();
});

describe("iokitd", () => {
  it("creates its sockets owner-only", () => {
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(`${path}.priv`).mode & 0o777).toBe(0o600);
  });

  it("drops a connection that sends garbage, a non-request or an oversize header, with a log line", async () => {
    const before = booted.kernel.logRing.texts().filter((l) => l.includes("dropping connection")).length;
    expect((await exchange(new Uint8Array([0, 0, 0, 3, 0xff, 0xfe, 0xfd]))).closed).toBe(true);
    expect((await exchange(encodeFrame([2, 1, 0, null, null]))).closed).toBe(true);
    expect((await exchange(new Uint8Array([0x7f, 0xff, 0xff, 0xff]))).closed).toBe(true);
    const lines = booted.kernel.logRing.texts().filter((l) => l.includes("dropping connection"));
    expect(lines.length - before).toBe(3);
    const lib = new IOKitLib(await SocketTransport.connect(path));
    expect((await lib.getMatchingServices(nameMatching("Fixture2022"))).length).toBe(1);
    lib.close();
  });

  it("takes a hello first: pid and name for the task, entitlements only on the privileged socket", async () => {
    const code = async (p: Promise<unknown>): Promise<number> => p.then(() => 0, (e: unknown) => (e instanceof IOReturnError ? e.code : -1));
    // The ordinary socket refuses a task presenting entitlements; the privileged one takes them.
    expect(await code(SocketTransport.connect(path, { entitlements: new Map([[kOpenEntitlement, true]]) }))).toBe(kIOReturnNotPrivileged);
    const ok = await SocketTransport.connect(`${path}.priv`, { procName: "entitled", entitlements: new Map([[kOpenEntitlement, true]]) });
    ok.close();
    // Malformed hellos get kIOReturnBadArgument; a hello after another request, kIOReturnNotPermitted.
    expect(await code(SocketTransport.connect(path, { pid: 0 }))).toBe(kIOReturnBadArgument);
    expect(await code(SocketTransport.connect(path, { procName: "" }))).toBe(kIOReturnBadArgument);
    const hello = (id: number): Uint8Array => encodeFrame(requestMessage(id, Routine.taskHello, [4242, "late", null]));
    const { replies } = await exchange(Buffer.concat([encodeFrame(requestMessage(1, Routine.getRootEntry, [])), hello(2)]), 2);
    expect(replies.map((r) => (parseIncoming(r) as { reply: { ret: number } }).reply.ret)).toEqual([0, kIOReturnNotPermitted]);
    const twice = await exchange(Buffer.concat([hello(1), hello(2)]), 2);
    expect(twice.replies.map((r) => (parseIncoming(r) as { reply: { ret: number } }).reply.ret)).toEqual([0, kIOReturnNotPermitted]);
    // The kernel's log names the task a dropped connection belonged to.
    await exchange(Buffer.concat([hello(1), new Uint8Array([0, 0, 0, 1, 0xff])]));
    expect(booted.kernel.logRing.texts().some((l) => /dropping connection \d+ \(pid 4242, late\): undecodable frame/.test(l))).toBe(true);
  });

  it("answers every well-formed request with an IOReturn", async () => {
    const ops = [...Object.values(Routine), "no_such_routine"];
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const junk = (): WireValue => [0, -1, 2 ** 40, "x", null, true, new Uint8Array(3), [1, [2]], new Map([["a", 1]]), 0xffffffffffffffffn][Math.floor(rnd() * 10)] as WireValue;
    const frames: Uint8Array[] = [];
    for (let i = 1; i <= 400; i++) frames.push(encodeFrame(requestMessage(i, ops[Math.floor(rnd() * ops.length)] as string, Array.from({ length: Math.floor(rnd() * 8) }, junk))));
    const all = Buffer.concat(frames);
    const { replies, closed } = await exchange(all, 400);
    expect(closed).toBe(false);
    expect(replies.length).toBe(400);
    for (const r of replies) {
      const m = parseIncoming(r);
      if (m?.kind !== "reply") continue;
      expect(m.reply.ret === 0 || ioReturnName(m.reply.ret) !== undefined).toBe(true);
    }
    const codes = replies.map((r) => parseIncoming(r)).filter((m) => m?.kind === "reply").map((m) => (m as { reply: { ret: number } }).reply.ret);
    expect(codes).toContain(kIOReturnBadMessageID);
    expect(codes).toContain(kIOReturnNotPrivileged);
  });

  it("cleans up after half-sent frames and clients that vanish mid-call", async () => {
    const base = await settle(counts());
    const half = encodeFrame(requestMessage(1, Routine.getRootEntry, []));
    const s = await raw();
    s.write(half.subarray(0, half.length - 2));
    await sleep(20);
    s.destroy();
    for (let i = 0; i < 20; i++) {
      const lib = new IOKitLib(await SocketTransport.connect(path));
      const [svc] = await lib.getMatchingServices(nameMatching("Fixture2022"));
      const c = await svc!.open(0);
      await c.mapMemory(0);
      await lib.addMatchingNotification("IOServiceMatched", nameMatching("Fixture2022"), () => undefined);
      void c.callAsyncMethod(Sel.asyncDouble, { scalarInput: [1n] }, () => undefined).catch(() => undefined);
      void lib.waitQuiet().catch(() => undefined);
      lib.close();
    }
    expect(await settle(base)).toEqual(base);
    expect(booted.server.sessionCount).toBe(0);
  });

  it("serves 1,000 clients connecting at once and leaks nothing", async () => {
    const base = await settle(counts());
    const results = await Promise.all(Array.from({ length: 1000 }, async (_, i) => {
      const lib = new IOKitLib(await SocketTransport.connect(path));
      try {
        const [svc] = await lib.getMatchingServices(nameMatching("Fixture2022"));
        if (i % 4 !== 0) return 0n;
        const c = await svc!.open(0);
        const r = await c.callMethod(Sel.add, { scalarInput: [BigInt(i), 1n], scalarOutputCount: 1 });
        return (r.scalarOutput[0] ?? 0n) - BigInt(i);
      } finally {
        lib.close();
      }
    }));
    expect(results.filter((r) => r === 1n).length).toBe(250);
    expect(await settle(base)).toEqual(base);
  });
});
