import { describe, expect, it } from "vitest";
import {
  kIOReturnBadArgument, kIOReturnIPCError, kIOReturnMessageTooLarge, kIOReturnNotPrivileged, kIOReturnSuccess, kIOReturnUnsupported,
  type IOReturn,
} from "../../base/index.ts";
import { Routine, type IPCReply, type WireValue } from "../../ipc/index.ts";
import { dict } from "../../libkern/index.ts";
import { OSMetaClass } from "../object/index.ts";
import { IOKernel, nameMatching } from "../service/index.ts";
import { IOKitServer } from "./IOKitServer.ts";
import { IOUserClient } from "./IOUserClient.ts";
import type { IOKitSession } from "./IOKitSession.ts";
import { clientHasPrivilege, processCommandName, userTask, type UserTask } from "./UserTask.ts";
import { FixtureUserClient, Sel, kOpenEntitlement, kPerSelectorEntitlement, publishFixtures } from "../../../test/support/userClientFixtures.ts";

function setup(): { kernel: IOKernel; server: IOKitServer; call(s: IOKitSession, op: string, ...args: WireValue[]): Promise<IPCReply> } {
  const kernel = new IOKernel();
  publishFixtures(kernel);
  const server = new IOKitServer(kernel);
  return { kernel, server, call: (s, op, ...args) => server.handle(s, { id: 1, op, args }) };
}

async function openFixture(env: ReturnType<typeof setup>, task: UserTask, name: string, events: Array<[number, WireValue]> = []): Promise<{ s: IOKitSession; open: IPCReply }> {
  await env.kernel.runUntilIdle();
  const s = env.server.openSession(task, (p, m) => events.push([p, m]));
  const found = await env.call(s, Routine.getMatchingServices, nameMatching(name));
  const h = (found.result as number[])[0] as number;
  return { s, open: await env.call(s, Routine.serviceOpen, h, 0, null) };
}

describe("IOUserClient", () => {
  it("default locking: a free lock runs a synchronous call at once, a held one queues calls in order", async () => {
    const uc = new IOUserClient(new IOKernel().registry);
    uc.defaultLocking = true;
    const order: string[] = [];
    expect(uc.withLock(() => kIOReturnSuccess)).toBe(kIOReturnSuccess);
    let finish!: () => void;
    const slow = uc.withLock(() => new Promise<IOReturn>((r) => (finish = () => {
      order.push("slow");
      r(kIOReturnSuccess);
    })));
    const quick = uc.withLock(() => {
      order.push("quick");
      return kIOReturnSuccess;
    });
    expect(quick).toBeInstanceOf(Promise);
    await Promise.resolve();
    expect(order).toEqual([]);
    finish();
    await Promise.all([slow, quick]);
    expect(order).toEqual(["slow", "quick"]);
    // Once everything settled the lock is free again: synchronous calls answer at once.
    await new Promise((r) => setTimeout(r, 0));
    expect(uc.withLock(() => kIOReturnBadArgument)).toBe(kIOReturnBadArgument);
    uc.release();
  });

  it("keeps a process name as p_comm: 16 UTF-8 bytes, never half a character", () => {
    expect(processCommandName("com.apple.WebKit.WebContent")).toBe("com.apple.WebKit");
    expect(processCommandName("ioreg")).toBe("ioreg");
    expect(processCommandName("ééééééééé")).toBe("éééééééé");
    expect(processCommandName("abcdefghijklmno😀")).toBe("abcdefghijklmno");
  });

  it("grants privileges from the task's credentials (clientHasPrivilege)", () => {
    const user = userTask({ uid: 501, console: true });
    expect(clientHasPrivilege(userTask({ uid: 0 }), "root")).toBe(kIOReturnSuccess);
    expect(clientHasPrivilege(user, "root")).toBe(kIOReturnNotPrivileged);
    expect(clientHasPrivilege(user, "local")).toBe(kIOReturnSuccess);
    expect(clientHasPrivilege(userTask({ console: false }), "console")).toBe(kIOReturnNotPrivileged);
    expect(clientHasPrivilege(userTask({ gpuDenied: true }), "foreground")).toBe(kIOReturnNotPrivileged);
    expect(clientHasPrivilege(user, "consolesession")).toBe(kIOReturnSuccess);
    expect(clientHasPrivilege(user, "wizard")).toBe(kIOReturnUnsupported);
  });

  it("IOUserClient2022_entitlements: open and per-selector entitlements", async () => {
    const env = setup();
    const none = await openFixture(env, userTask(), "FixtureEntitled");
    expect(none.open.ret).toBe(kIOReturnNotPrivileged);
    const entitled = userTask({ entitlements: new Map([[kOpenEntitlement, true]]) });
    const ok = await openFixture(env, entitled, "FixtureEntitled");
    expect(ok.open.ret).toBe(kIOReturnSuccess);
    const r = await env.call(ok.s, Routine.connectMethod, ok.open.result, Sel.entitled, [], new Uint8Array(0), 0, 0, null);
    expect(r.ret).not.toBe(kIOReturnSuccess);
    const both = userTask({ entitlements: new Map([[kOpenEntitlement, true], [kPerSelectorEntitlement, true]]) });
    const full = await openFixture(env, both, "FixtureEntitled");
    expect((await env.call(full.s, Routine.connectMethod, full.open.result, Sel.entitled, [], new Uint8Array(0), 0, 0, null)).ret).toBe(kIOReturnSuccess);
  });

  it("refuses open properties, oversize outputs and too many async arguments", async () => {
    const env = setup();
    const { s, open } = await openFixture(env, userTask(), "Fixture2022");
    const svc = (await env.call(s, Routine.getMatchingServices, nameMatching("Fixture2022"))).result as number[];
    expect((await env.call(s, Routine.serviceOpen, svc[0] as number, 0, dict({ x: true }))).ret).toBe(kIOReturnUnsupported);
    expect((await env.call(s, Routine.connectMethod, open.result, Sel.echo, [], new Uint8Array(0), 0, 0x1_0000_0000, null)).ret).toBe(kIOReturnIPCError);
    expect((await env.call(s, Routine.connectMethod, open.result, Sel.add, new Array(17).fill(1), new Uint8Array(0), 1, 0, null)).ret).toBe(kIOReturnBadArgument);
    expect((await env.call(s, Routine.connectMethod, open.result, "nope", [], new Uint8Array(0), 0, 0, null)).ret).toBe(kIOReturnBadArgument);
    const uc = env.kernel.registry.findByClass("FixtureUserClient")[0] as FixtureUserClient;
    const codes: IOReturn[] = [uc.sendAsyncResult64([0n], kIOReturnSuccess, new Array(17).fill(0n)), uc.sendAsyncResult64([0n], kIOReturnSuccess, [1n])];
    expect(codes).toEqual([kIOReturnMessageTooLarge, kIOReturnSuccess]);
  });

  it("logs legacy count mismatches as xnu does", async () => {
    const env = setup();
    const { s, open } = await openFixture(env, userTask(), "FixtureLegacy");
    const r = await env.call(s, Routine.connectMethod, open.result, 0, [1n], new Uint8Array(0), 1, 0, null);
    expect(r.ret).toBe(kIOReturnBadArgument);
    expect(env.kernel.logRing.texts().some((l) => l.includes("LegacyUserClient: IOUserClient inputCount count mismatch 0x1 0x2"))).toBe(true);
  });

  it("ioserviceusernotification_race: notification churn leaks nothing", async () => {
    const env = setup();
    await env.kernel.runUntilIdle();
    const names = ["IOServiceUserNotification", "IOServiceMessageUserNotification", "IOUserNotification"];
    const count = (): number[] => names.map((n) => OSMetaClass.getMetaClassWithName(n)?.getInstanceCount() ?? 0);
    const base = count();
    const s = env.server.openSession(userTask(), () => undefined);
    const svc = ((await env.call(s, Routine.getMatchingServices, nameMatching("Fixture2022"))).result as number[])[0] as number;
    const pending: Promise<IPCReply>[] = [];
    for (let i = 0; i < 200; i++) {
      pending.push(env.call(s, Routine.addMatchingNotification, "IOServicePublish", dict({ IOProviderClass: "FixtureService" })));
      pending.push(env.call(s, Routine.addInterestNotification, svc, "IOGeneralInterest"));
    }
    const handles = (await Promise.all(pending)).map((r) => (Array.isArray(r.result) ? r.result[0] : r.result) as number);
    for (const h of handles.slice(0, 100)) await env.call(s, Routine.objectRelease, h);
    env.server.closeSession(s);
    expect(count()).toEqual(base);
  });

  it("map_memory_port_leak: open, map, unmap, close keeps the handle count", async () => {
    const env = setup();
    await env.kernel.runUntilIdle();
    const s = env.server.openSession(userTask(), () => undefined);
    const svc = ((await env.call(s, Routine.getMatchingServices, nameMatching("Fixture2022"))).result as number[])[0] as number;
    const before = s.handleCount;
    for (let i = 0; i < 50; i++) {
      const c = (await env.call(s, Routine.serviceOpen, svc, 1, null)).result as number;
      const m = (await env.call(s, Routine.connectMapMemory, c, 0, 0)).result as number[];
      expect((await env.call(s, Routine.connectUnmapMemory, c, 0, m[0] as number)).ret).toBe(kIOReturnSuccess);
      expect((await env.call(s, Routine.serviceClose, c)).ret).toBe(kIOReturnSuccess);
    }
    expect(s.handleCount).toBe(before);
    await env.kernel.runUntilIdle();
    expect(env.kernel.registry.findByClass("FixtureUserClient").length).toBe(0);
  });
});
