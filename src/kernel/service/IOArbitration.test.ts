import { describe, expect, it } from "vitest";
import { IOKernel } from "./IOKernel.ts";
import { IOService } from "./IOService.ts";
import { IOThread } from "./IOArbitration.ts";

const twoServices = () => {
  const k = new IOKernel();
  const s1 = new IOService(k.registry, { name: "s1" });
  const s2 = new IOService(k.registry, { name: "s2" });
  s1.attach(k.platform);
  s2.attach(k.platform);
  return { k, s1, s2 };
};

describe("lockForArbitration (TestLockForArbitration)", () => {
  it("is recursive for its owner and refuses other threads when success is not required", () => {
    const { s1 } = twoServices();
    const other = new IOThread("other");
    expect(s1.lockForArbitration()).toBe(true);
    expect(s1.lockForArbitration()).toBe(true);
    expect(s1.lockForArbitration(false, other)).toBe(false);
    expect(() => s1.lockForArbitration(true, other)).toThrow(/would block thread "other"/);
    s1.unlockForArbitration();
    s1.unlockForArbitration();
    expect(s1.lockForArbitration(false, other)).toBe(true);
    s1.unlockForArbitration(other);
    expect(() => s1.unlockForArbitration(other)).toThrow(/does not hold/);
  });

  it("a non-required lock that would deadlock returns false; the required waiter gets the lock later", async () => {
    const { k, s1, s2 } = twoServices();
    const a = new IOThread("A");
    const b = new IOThread("B");
    const log: string[] = [];
    const threadA = (async () => {
      await s1.lockForArbitrationAsync(true, a);
      log.push("A has s1");
      const got = await s2.lockForArbitrationAsync(true, a); // B holds s2: A waits
      log.push(`A has s2: ${got}`);
      s2.unlockForArbitration(a);
      s1.unlockForArbitration(a);
    })();
    await s2.lockForArbitrationAsync(true, b);
    log.push("B has s2");
    await k.runUntilIdle();
    // A holds s1 and waits for s2, which B holds: B waiting for s1 would deadlock.
    expect(await s1.lockForArbitrationAsync(false, b)).toBe(false);
    log.push("B refused s1");
    s2.unlockForArbitration(b);
    await k.runUntilIdle();
    await threadA;
    expect(log).toEqual(["A has s1", "B has s2", "B refused s1", "A has s2: true"]);
    expect(k.arbitration.owner(s1)).toBeUndefined();
    expect(k.arbitration.owner(s2)).toBeUndefined();
  });

  it("waiters are served in arrival order", async () => {
    const { k, s1 } = twoServices();
    const order: string[] = [];
    s1.lockForArbitration();
    const waiters = ["x", "y", "z"].map((n) => {
      const t = new IOThread(n);
      return s1.lockForArbitrationAsync(true, t).then(() => {
        order.push(n);
        s1.unlockForArbitration(t);
      });
    });
    s1.unlockForArbitration();
    await k.runUntilIdle();
    await Promise.all(waiters);
    expect(order).toEqual(["x", "y", "z"]);
  });
});
