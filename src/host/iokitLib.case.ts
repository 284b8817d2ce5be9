/**
 * The IOKitLib conformance suite: one set of cases, run against every transport (in-process and
 * the daemon's socket) by `embeddedIOKit.test.ts` and `socketIOKit.test.ts`. The cases drive the
 * fixture services of test/support/userClientFixtures.ts through the public API only.
 */
import { describe, expect, it } from "vitest";
import {
  IOReturnError, kIOReturnBadArgument, kIOReturnError, kIOReturnNoCompletion, kIOReturnNotPrivileged, kIOReturnSuccess,
  kIOReturnUnsupported, type IOReturn,
} from "../base/index.ts";
import { OSMetaClass, type IOKernel, type IOService } from "../kernel/index.ts";
import { IOKitCompat as C, IOKitLib, O_RDONLY, nameMatching, serviceMatching } from "../libiokit/index.ts";
import { dict, num, type OSValue } from "../libkern/index.ts";
import { Sel, kOpenEntitlement, kPerSelectorEntitlement, publishFixtures } from "../../test/support/userClientFixtures.ts";

/** What a transport's test file provides. */
export interface ConformanceEnv {
  readonly kernel: IOKernel;
  /** A fresh unprivileged connection. */
  connect(): Promise<IOKitLib>;
  /** The pid and process name the kernel should see for {@link ConformanceEnv.connect}'s task. */
  readonly identity: { readonly pid: number; readonly procName: string };
  /** A fresh privileged connection, presenting `entitlements` if given. */
  connectPrivileged(entitlements?: ReadonlyMap<string, OSValue>): Promise<IOKitLib>;
}

async function code(p: Promise<unknown>): Promise<IOReturn> {
  try {
    await p;
    return kIOReturnSuccess;
  } catch (e) {
    if (e instanceof IOReturnError) return e.code;
    throw e;
  }
}

const COUNTED = ["IOUserClient", "IOServiceUserNotification", "IOServiceMessageUserNotification", "IOUserNotification", "IOMemoryDescriptor", "IOUserNotificationPort"];
const counts = (): number[] => COUNTED.map((c) => OSMetaClass.getMetaClassWithName(c)?.getInstanceCount() ?? 0);

/** Polls until instance counts return to `base` (termination runs on the kernel's threads). */
async function backToBaseline(kernel: IOKernel, base: number[]): Promise<number[]> {
  void kernel;
  for (let i = 0; i < 400; i++) {
    if (counts().every((c, j) => c === base[j])) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  return counts();
}

/** Registers the suite under `name`. `env` is called once, in beforeAll of the caller. */
export function iokitLibConformance(name: string, env: () => ConformanceEnv): void {
  describe(`IOKitLib over ${name}`, () => {
    let fixtures: Record<string, IOService>;
    const E = (): ConformanceEnv => env();
    const ready = async (): Promise<IOKitLib> => {
      fixtures ??= publishFixtures(E().kernel);
      const lib = await E().connect();
      await lib.waitQuiet(5000);
      return lib;
    };

    it("finds matched services and reads the registry", async () => {
      const lib = await ready();
      const [res] = await lib.getMatchingServices(serviceMatching("IOResources"));
      expect(res).toBeDefined();
      expect(await res!.className()).toBe("IOResources");
      expect(await res!.conformsTo("IOService")).toBe(true);
      expect(await res!.path()).toMatch(/^IOService:\/.*IOResources$/);
      expect(typeof (await res!.entryID())).toBe("bigint");
      const props = await res!.properties();
      expect(props.get("IOClass") ?? props.get("IOProviderClass") ?? [...props.keys()].length).toBeDefined();
      const fx = await lib.getMatchingServices(nameMatching("Fixture2022"));
      expect(fx.length).toBe(1);
      expect(await fx[0]!.property("FixtureName")).toBe("Fixture2022");
      expect(await fx[0]!.property("NoSuchKey")).toBeUndefined();
      const root = await lib.rootEntry();
      expect(await root.searchProperty("FixtureName", { recursive: true })).toBeTypeOf("string");
      expect(await root.searchProperty("FixtureName")).toBeUndefined();
      const kids = await (await lib.rootEntry()).children();
      expect(kids.length).toBeGreaterThan(0);
      const snap = await lib.registrySnapshot();
      expect(snap.entries.some((e) => e.className === "FixtureService")).toBe(true);
      lib.close();
    });

    it("answers user-client calls with Apple's dispatch results", async () => {
      const lib = await ready();
      const [svc] = await lib.getMatchingServices(nameMatching("Fixture2022"));
      const c = await svc!.open(0);
      const add = await c.callMethod(Sel.add, { scalarInput: [40n, 2n], scalarOutputCount: 1 });
      expect(add.scalarOutput).toEqual([42n]);
      const big = await c.callMethod(Sel.add, { scalarInput: [0xffffffffffffffffn, 2n], scalarOutputCount: 1 });
      expect(big.scalarOutput).toEqual([1n]);
      const payload = new Uint8Array(6000).map((_, i) => i & 0xff);
      const echo = await c.callMethod(Sel.echo, { structureInput: payload, structureOutputSize: 6000 });
      expect(echo.structureOutput).toEqual(payload);
      expect(await code(c.callMethod(Sel.add, { scalarInput: [1n], scalarOutputCount: 1 }))).toBe(kIOReturnBadArgument);
      expect(await code(c.callMethod(Sel.add, { scalarInput: [1n, 2n], scalarOutputCount: 2 }))).toBe(kIOReturnBadArgument);
      expect(await code(c.callMethod(Sel.fixed, { structureInput: new Uint8Array(7), structureOutputSize: 16 }))).toBe(kIOReturnBadArgument);
      expect((await c.callMethod(Sel.fixed, { structureInput: new Uint8Array(8), structureOutputSize: 16 })).structureOutput).toEqual(new Uint8Array(16).fill(7));
      expect(await code(c.callMethod(Sel.empty))).toBe(kIOReturnNoCompletion);
      expect(await code(c.callMethod(99))).toBe(kIOReturnBadArgument);
      expect(await code(c.callMethod(Sel.entitled))).toBe(kIOReturnNotPrivileged);
      expect(await code(c.callAsyncMethod(Sel.add, { scalarInput: [1n, 2n], scalarOutputCount: 1 }, () => undefined))).toBe(kIOReturnBadArgument);
      const done = await new Promise<{ r: IOReturn; args: bigint[] }>((resolve, reject) => {
        c.callAsyncMethod(Sel.asyncDouble, { scalarInput: [21n] }, (r, args) => resolve({ r, args })).catch(reject);
      });
      expect(done).toEqual({ r: kIOReturnSuccess, args: [42n] });
      await c.close();
      expect(await code(c.callMethod(Sel.add, { scalarInput: [1n, 2n], scalarOutputCount: 1 }))).toBe(kIOReturnBadArgument);
      lib.close();
    });

    it("applies the open-time rules: class, entitlements, locking, privileges", async () => {
      const lib = await ready();
      const open = async (n: string): Promise<IOReturn> => code(lib.getMatchingServices(nameMatching(n)).then((s) => s[0]!.open(0)));
      expect(await open("FixtureNoClass")).toBe(kIOReturnUnsupported);
      expect(await open("FixtureEntitled")).toBe(kIOReturnNotPrivileged);
      expect(await open("FixtureUnlocked")).toBe(kIOReturnError);
      expect(await open("FixtureRootOnly")).toBe(kIOReturnNotPrivileged);
      const admin = await E().connectPrivileged();
      const [ro] = await admin.getMatchingServices(nameMatching("FixtureRootOnly"));
      const rc = await ro!.open(0);
      expect((await rc.callMethod(Sel.add, { scalarInput: [1n, 1n], scalarOutputCount: 1 })).scalarOutput).toEqual([2n]);
      await rc.close();
      admin.close();
      lib.close();
    });

    it("names the owning task in IOUserClientCreator (pid N, p_comm)", async () => {
      const lib = await ready();
      const [svc] = await lib.getMatchingServices(nameMatching("Fixture2022"));
      const c = await svc!.open(0);
      const creators: OSValue[] = [];
      for (const child of await svc!.children()) {
        if (await child.className() === "FixtureUserClient") creators.push((await child.property("IOUserClientCreator")) ?? "");
      }
      const { pid, procName } = E().identity;
      expect(creators).toContain(`pid ${pid}, ${procName.slice(0, 16)}`);
      await c.close();
      lib.close();
    });

    it("opens entitlement-gated user clients only for a task holding the entitlement", async () => {
      await ready();
      const open = async (lib: IOKitLib, n: string): Promise<IOReturn> => code(lib.getMatchingServices(nameMatching(n)).then((s) => s[0]!.open(0)));
      // Privilege is not an entitlement.
      const root = await E().connectPrivileged();
      expect(await open(root, "FixtureEntitled")).toBe(kIOReturnNotPrivileged);
      root.close();
      const opener = await E().connectPrivileged(new Map([[kOpenEntitlement, true]]));
      const [svc] = await opener.getMatchingServices(nameMatching("FixtureEntitled"));
      const c = await svc!.open(0);
      expect(await code(c.callMethod(Sel.entitled))).toBe(kIOReturnNotPrivileged);
      await c.close();
      opener.close();
      const both = await E().connectPrivileged(new Map([[kOpenEntitlement, true], [kPerSelectorEntitlement, true]]));
      const [svc2] = await both.getMatchingServices(nameMatching("FixtureEntitled"));
      const c2 = await svc2!.open(0);
      expect(await code(c2.callMethod(Sel.entitled))).toBe(kIOReturnSuccess);
      await c2.close();
      // An entitlement set to anything but true is not held.
      const falsy = await E().connectPrivileged(new Map([[kOpenEntitlement, "yes"]]));
      expect(await open(falsy, "FixtureEntitled")).toBe(kIOReturnNotPrivileged);
      falsy.close();
      both.close();
    });

    it("dispatches legacy tables with their count checks", async () => {
      const lib = await ready();
      const [svc] = await lib.getMatchingServices(nameMatching("FixtureLegacy"));
      const c = await svc!.open(0);
      expect((await c.callMethod(0, { scalarInput: [3n, 4n], scalarOutputCount: 1 })).scalarOutput).toEqual([7n]);
      expect(await code(c.callMethod(0, { scalarInput: [3n], scalarOutputCount: 1 }))).toBe(kIOReturnBadArgument);
      expect((await c.callMethod(1, { structureInput: new Uint8Array([1, 2, 3, 4]), structureOutputSize: 4 })).structureOutput).toEqual(new Uint8Array([1, 2, 3, 4]));
      expect(await code(c.callMethod(2))).toBe(kIOReturnBadArgument);
      expect(await code(c.callMethod(3))).toBe(kIOReturnUnsupported);
      await c.close();
      lib.close();
    });

    it("shares user-client memory", async () => {
      const lib = await ready();
      const [svc] = await lib.getMatchingServices(nameMatching("Fixture2022"));
      const c = await svc!.open(0);
      const m = await c.mapMemory(0);
      expect(m.size).toBe(4096);
      await m.write(10, new Uint8Array([9, 8, 7]));
      expect(await m.read(10, 3)).toEqual(new Uint8Array([9, 8, 7]));
      expect(await code(c.mapMemory(1))).toBe(kIOReturnUnsupported);
      await m.unmap();
      await c.close();
      lib.close();
    });

    it("delivers matching and interest notifications", async () => {
      const lib = await ready();
      const published: string[] = [];
      const terminated: string[] = [];
      const n1 = await lib.addMatchingNotification("IOServicePublish", dict({ IOProviderClass: "FixtureService", IOPropertyMatch: dict({ FixtureName: "Late" }) }), (ss) => {
        for (const s of ss) void s.property("FixtureName").then((v) => published.push(String(v)));
      });
      const n2 = await lib.addMatchingNotification("IOServiceTerminate", serviceMatching("FixtureService"), (ss) => terminated.push(...ss.map(String)));
      const existing: number[] = [];
      const n3 = await lib.addMatchingNotification("IOServiceMatched", serviceMatching("FixtureService"), (ss) => existing.push(ss.length));
      expect(existing[0]).toBeGreaterThanOrEqual(5);
      const k = E().kernel;
      const late = new (OSMetaClass.getMetaClassWithName("FixtureService")!.ctor as new (r: unknown) => IOService)(k.registry);
      late.setProperty("FixtureName", "Late");
      late.attach(k.platform);
      late.registerService();
      const [svc] = await lib.getMatchingServices(nameMatching("Fixture2022"));
      const messages: number[] = [];
      const n4 = await lib.addInterestNotification(svc!, "IOGeneralInterest", (t) => messages.push(t));
      fixtures.Fixture2022!.messageClients(0xe0000999, num(1, 32));
      const until = async (ok: () => boolean): Promise<void> => {
        for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
      };
      await until(() => published.length > 0 && messages.length > 0);
      late.terminate();
      await until(() => terminated.length > 0);
      expect(published).toEqual(["Late"]);
      expect(terminated.length).toBe(1);
      expect(messages).toContain(0xe0000999);
      late.release();
      for (const n of [n1, n2, n3, n4]) await n.remove();
      lib.close();
    });

    it("speaks Apple's C API", async () => {
      const lib = await ready();
      C.IOKitSetMainPort(lib);
      const it: C.Out<number> = {};
      expect(await C.IOServiceGetMatchingServices(C.kIOMainPortDefault, C.IOServiceMatching("FixtureService"), it)).toBe(kIOReturnSuccess);
      const names: string[] = [];
      for (let o = C.IOIteratorNext(it.value!); o !== 0; o = C.IOIteratorNext(it.value!)) {
        const props: C.Out<Map<string, unknown>> = {};
        expect(await C.IORegistryEntryCreateCFProperties(o, props as C.Out<never>)).toBe(kIOReturnSuccess);
        names.push(String(props.value?.get("FixtureName")));
      }
      expect(names).toContain("Fixture2022");
      const svc = await C.IOServiceGetMatchingService(0, C.IOServiceNameMatching("Fixture2022"));
      expect(svc).not.toBe(0);
      const cls: C.Out<string> = {};
      expect(await C.IOObjectGetClass(svc, cls)).toBe(kIOReturnSuccess);
      expect(cls.value).toBe("FixtureService");
      const connect: C.Out<number> = {};
      expect(await C.IOServiceOpen(svc, 0, 0, connect)).toBe(kIOReturnSuccess);
      const out: bigint[] = [];
      const outCnt: C.Out<number> = { value: 1 };
      expect(await C.IOConnectCallScalarMethod(connect.value!, Sel.add, [5n, 6n], 2, out, outCnt)).toBe(kIOReturnSuccess);
      expect(out[0]).toBe(11n);
      expect(await C.IOConnectCallScalarMethod(connect.value!, Sel.add, [5n], 1, out, outCnt)).toBe(kIOReturnBadArgument);
      expect(await C.IOServiceClose(connect.value!)).toBe(kIOReturnSuccess);
      expect(await C.IOKitWaitQuiet(0, { tv_sec: 5, tv_nsec: 0 })).toBe(kIOReturnSuccess);
      expect(await C.IOObjectRelease(svc)).toBe(kIOReturnSuccess);
      // Only services whose matching finished are visible: an attached, unregistered one is not.
      const k = E().kernel;
      const hidden = new (OSMetaClass.getMetaClassWithName("FixtureService")!.ctor as new (r: unknown) => IOService)(k.registry);
      hidden.setName("FixtureHidden");
      hidden.attach(k.platform);
      expect(await C.IOServiceGetMatchingService(0, C.IOServiceNameMatching("FixtureHidden"))).toBe(0);
      hidden.detach(k.platform);
      hidden.release();
      lib.close();
    });

    it("leaves nothing behind when a client goes away mid-session", async () => {
      const base = await backToBaseline(E().kernel, counts());
      const lib = await ready();
      const before = await lib.handleCount();
      const [svc] = await lib.getMatchingServices(nameMatching("Fixture2022"));
      for (let i = 0; i < 3; i++) {
        const c = await svc!.open(1);
        const m = await c.mapMemory(0);
        await m.unmap();
        await c.close();
      }
      await svc!.release();
      expect(await lib.handleCount()).toBe(before);
      for (let i = 0; i < 5; i++) {
        const [s] = await lib.getMatchingServices(nameMatching("Fixture2022"));
        await s!.open(0);
        await lib.addMatchingNotification("IOServiceMatched", serviceMatching("FixtureService"), () => undefined);
        await lib.addInterestNotification(s!, "IOBusyInterest", () => undefined);
        await (await s!.open(0)).mapMemory(0);
      }
      lib.close();
      expect(await backToBaseline(E().kernel, base)).toEqual(base);
    });

    it("opens device nodes: /dev/zero and /dev/null, errno errors, descriptors released with the connection", async () => {
      const lib = await E().connect();
      const before = await lib.handleCount();
      expect((await lib.devices()).filter((d) => d.major === 3).map((d) => [d.path, d.minor, d.mode])).toEqual([["/dev/null", 2, 0o666], ["/dev/zero", 3, 0o666]]);
      const zero = await lib.open("/dev/zero", O_RDONLY);
      expect(await zero.read(4)).toEqual(new Uint8Array(4));
      await expect(zero.write("x")).rejects.toMatchObject({ name: "ErrnoError", code: "EBADF", errno: 9 });
      const devnull = await lib.open("/dev/null");
      expect(await devnull.write(new Uint8Array(100))).toBe(100);
      expect((await devnull.read(10)).length).toBe(0);
      await expect(lib.open("/dev/nonexistent")).rejects.toMatchObject({ code: "ENOENT", message: "open /dev/nonexistent: No such file or directory" });
      expect(await lib.handleCount()).toBe(before + 2);
      await zero.close();
      await expect(zero.close()).rejects.toMatchObject({ code: "EBADF" });
      expect(await lib.handleCount()).toBe(before + 1);
      lib.close();
    });
  });
}
