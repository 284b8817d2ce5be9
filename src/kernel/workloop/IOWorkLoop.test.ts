import { describe, expect, it } from "vitest";
import { kIOReturnAborted, kIOReturnBadArgument, kIOReturnCannotLock, kIOReturnNotPermitted, kIOReturnNotReady, kIOReturnSuccess } from "../../base/index.ts";
import { NS_PER_MS, Scheduler } from "../scheduler/index.ts";
import { OSMetaClass } from "../object/index.ts";
import {
  IOCommandGate, IOInterruptEventSource, IOTimerEventSource, IOWorkLoop, THREAD_AWAKENED, THREAD_TIMED_OUT,
} from "./index.ts";

const setup = (seed = 1) => {
  const s = new Scheduler({ seed });
  return { s, wl: IOWorkLoop.workLoop(s, "TestDriver") };
};

describe("IOWorkLoop gate", () => {
  it("runs an action at once when the gate is open and re-enters from inside it", async () => {
    const { wl } = setup();
    const log: string[] = [];
    const p = wl.runAction(() => {
      log.push(`outer ${wl.inGate()}`);
      void wl.runAction(() => log.push("inner"));
      return 7;
    });
    expect(log).toEqual(["outer true", "inner"]);
    expect(await p).toBe(7);
    expect(wl.inGate()).toBe(false);
  });

  it("admits one action at a time: actions queued behind an async holder run in FIFO order", async () => {
    const { s, wl } = setup();
    const log: string[] = [];
    const gate = s.deferred<void>();
    const a = wl.runAction(async () => {
      log.push("a start");
      await gate.promise;
      log.push("a end");
    });
    const b = wl.runAction(() => log.push("b"));
    const c = wl.runAction(() => log.push("c"));
    await s.runUntilIdle();
    expect(log).toEqual(["a start"]);
    s.post(() => gate.resolve());
    await s.runUntilIdle();
    await Promise.all([a, b, c]);
    expect(log).toEqual(["a start", "a end", "b", "c"]);
  });

  it("propagates an action's exception and frees the gate", async () => {
    const { wl } = setup();
    await expect(wl.runAction(() => {
      throw new Error("boom");
    })).rejects.toThrow("boom");
    expect(wl.inGate()).toBe(false);
  });
});

describe("IOTimerEventSource (IOWorkLoopTest)", () => {
  it("re-armed in a tight loop, only the last timeout fires", async () => {
    const { s, wl } = setup();
    const fired: number[] = [];
    const tes = IOTimerEventSource.timerEventSource(wl, () => void fired.push(s.nowMS()));
    wl.addEventSource(tes);
    for (let idx = 0; idx < 1000; idx++) expect(tes.setTimeoutMS(idx & 3)).toBe(kIOReturnSuccess);
    await s.runAll();
    expect(fired).toEqual([(999 & 3)]);
  });

  it("cancel prevents expiry, even when the expiry is already waiting for the gate", async () => {
    const { s, wl } = setup();
    let fired = 0;
    const tes = IOTimerEventSource.timerEventSource(wl, () => void fired++);
    wl.addEventSource(tes);
    tes.setTimeoutMS(5);
    tes.cancelTimeout();
    await s.runAll();
    expect(fired).toBe(0);
    // Hold the gate across the deadline, cancel while the expiry queues for it.
    const release = s.deferred<void>();
    void wl.runAction(() => release.promise);
    tes.setTimeoutMS(1);
    await s.advance(2);
    tes.cancelTimeout();
    release.resolve();
    await s.runAll();
    expect(fired).toBe(0);
  });

  it("an action may re-arm its own timer; virtual time makes long periods instant", async () => {
    const { s, wl } = setup();
    const at: number[] = [];
    const tes = IOTimerEventSource.timerEventSource(wl, (_o, t) => {
      at.push(s.nowMS());
      if (at.length < 5) t.setTimeoutMS(60_000);
    });
    wl.addEventSource(tes);
    tes.setTimeoutMS(60_000);
    await s.runAll();
    expect(at).toEqual([60_000, 120_000, 180_000, 240_000, 300_000]);
  });

  it("needs an action, and a disabled source keeps its deadline until enabled", async () => {
    const { s, wl } = setup();
    expect(IOTimerEventSource.timerEventSource(null, null).setTimeoutMS(1)).not.toBe(kIOReturnSuccess);
    let fired = 0;
    const tes = IOTimerEventSource.timerEventSource(wl, () => void fired++);
    wl.addEventSource(tes);
    tes.disable();
    tes.setTimeoutMS(3);
    await s.advance(10);
    expect(fired).toBe(0);
    tes.enable();
    await s.runAll();
    expect(fired).toBe(1);
  });
});

describe("IOInterruptEventSource", () => {
  it("software interruptOccurred is delivered on the work loop with the count", async () => {
    const { s, wl } = setup();
    const counts: number[] = [];
    const ies = IOInterruptEventSource.interruptEventSource(wl, (_o, _s, n) => {
      expect(wl.onThread()).toBe(true);
      counts.push(n);
    });
    expect(ies).not.toBeNull();
    wl.addEventSource(ies!);
    for (let i = 0; i < 1000; i++) ies!.interruptOccurred();
    expect(counts).toEqual([]);
    await s.runUntilIdle();
    expect(counts).toEqual([1000]);
    ies!.disable();
    ies!.interruptOccurred();
    ies!.interruptOccurred();
    await s.runUntilIdle();
    expect(counts).toEqual([1000]);
    ies!.enable();
    await s.runUntilIdle();
    expect(counts).toEqual([1000, 2]);
  });

  it("rejects a negative index and stores the index complemented until registered", () => {
    const { wl } = setup();
    expect(IOInterruptEventSource.interruptEventSource(null, () => {}, null, -1)).toBeNull();
    const masks: string[] = [];
    const provider = {
      getInterruptType: (i: number) => (i < 2 ? 1 : undefined),
      registerInterrupt: (i: number) => void masks.push(`reg ${i}`),
      unregisterInterrupt: (i: number) => void masks.push(`unreg ${i}`),
      enableInterrupt: (i: number) => void masks.push(`en ${i}`),
      disableInterrupt: (i: number) => void masks.push(`dis ${i}`),
    };
    const ies = IOInterruptEventSource.interruptEventSource(null, () => {}, provider, 1)!;
    expect(ies.getIntIndex()).toBe(1);
    expect(ies.isRegistered).toBe(false);
    wl.addEventSource(ies);
    expect(ies.isRegistered).toBe(true);
    wl.removeEventSource(ies);
    expect(ies.isRegistered).toBe(false);
    expect(masks).toEqual(["reg 1", "en 1", "dis 1", "unreg 1"]);
  });
});

describe("IOCommandGate", () => {
  it("validates like Apple: no action, no work loop", async () => {
    const g = IOCommandGate.commandGate(null);
    expect(await g.runAction(null)).toBe(kIOReturnBadArgument);
    expect(await g.runAction(() => kIOReturnSuccess)).toBe(kIOReturnNotReady);
    expect(() => g.commandSleep("e")).toThrow("invalid commandSleep while not holding the gate");
  });

  it("commandSleep releases the gate; commandWakeup resumes with THREAD_AWAKENED", async () => {
    const { s, wl } = setup();
    const g = IOCommandGate.commandGate(wl);
    wl.addEventSource(g);
    const log: string[] = [];
    const sleeper = g.runAction(async () => {
      log.push("sleep");
      const r = await g.commandSleep("ready");
      log.push(`woke ${r} inGate=${wl.inGate()}`);
      return kIOReturnSuccess;
    });
    await s.runUntilIdle();
    expect(wl.inGate()).toBe(false);
    expect(g.inFlight).toBe(1);
    await g.runAction(() => {
      log.push("waker");
      g.commandWakeup("ready");
      return kIOReturnSuccess;
    });
    await s.runUntilIdle();
    expect(await sleeper).toBe(kIOReturnSuccess);
    expect(log).toEqual(["sleep", "waker", `woke ${THREAD_AWAKENED} inGate=true`]);
    expect(g.inFlight).toBe(0);
  });

  it("a commandSleep deadline times out in virtual time", async () => {
    const { s, wl } = setup();
    const g = IOCommandGate.commandGate(wl);
    wl.addEventSource(g);
    let result = -1;
    void g.runAction(async () => {
      result = await g.commandSleep("never", s.now() + 30_000 * NS_PER_MS);
      return kIOReturnSuccess;
    });
    await s.advance(29_999);
    expect(result).toBe(-1);
    await s.advance(1);
    expect(result).toBe(THREAD_TIMED_OUT);
  });

  it("wakes one sleeper or all, in sleep order", async () => {
    const { s, wl } = setup();
    const g = IOCommandGate.commandGate(wl);
    wl.addEventSource(g);
    const woke: number[] = [];
    for (let i = 0; i < 3; i++) {
      void g.runAction(async () => {
        await g.commandSleep("ev");
        woke.push(i);
        return kIOReturnSuccess;
      });
    }
    await s.runUntilIdle();
    await g.runAction(() => (g.commandWakeup("ev", true), kIOReturnSuccess));
    await s.runUntilIdle();
    expect(woke).toEqual([0]);
    await g.runAction(() => (g.commandWakeup("ev"), kIOReturnSuccess));
    await s.runUntilIdle();
    expect(woke).toEqual([0, 1, 2]);
  });

  it("a disabled gate holds callers until enabled, attemptAction refuses, removal aborts", async () => {
    const { s, wl } = setup();
    const g = IOCommandGate.commandGate(wl);
    wl.addEventSource(g);
    g.disable();
    let ran = false;
    const p = g.runAction(() => ((ran = true), kIOReturnSuccess));
    expect(await g.attemptAction(() => kIOReturnSuccess)).toBe(kIOReturnNotPermitted);
    await s.runUntilIdle();
    expect(ran).toBe(false);
    g.enable();
    expect(await p).toBe(kIOReturnSuccess);
    expect(ran).toBe(true);
    g.disable();
    const q = g.runAction(() => kIOReturnSuccess);
    wl.removeEventSource(g);
    expect(await q).toBe(kIOReturnAborted);
  });

  it("an action sleeping when its gate is removed still wakes and finishes on its loop", async () => {
    const { s, wl } = setup();
    const g = IOCommandGate.commandGate(wl);
    wl.addEventSource(g);
    let result = -1;
    const p = g.runAction(async () => {
      result = await g.commandSleep("ev");
      return kIOReturnSuccess;
    });
    await s.runUntilIdle();
    wl.removeEventSource(g);
    void wl.runAction(() => wl.wakeupGate("ev"));
    await s.runUntilIdle();
    expect(await p).toBe(kIOReturnSuccess);
    expect(result).toBe(THREAD_AWAKENED);
    expect(g.inFlight).toBe(0);
  });

  it("attemptAction returns kIOReturnCannotLock while another activity holds the gate", async () => {
    const { s, wl } = setup();
    const g = IOCommandGate.commandGate(wl);
    wl.addEventSource(g);
    const hold = s.deferred<void>();
    void wl.runAction(() => hold.promise);
    expect(await g.attemptAction(() => kIOReturnSuccess)).toBe(kIOReturnCannotLock);
    hold.resolve();
    await s.runUntilIdle();
    expect(await g.attemptAction(() => kIOReturnSuccess)).toBe(kIOReturnSuccess);
  });
});

describe("determinism", () => {
  const trace = async (seed: number): Promise<string[]> => {
    const s = new Scheduler({ seed, shuffleTies: true });
    const out: string[] = [];
    for (let w = 0; w < 3; w++) {
      const wl = IOWorkLoop.workLoop(s, `wl${w}`);
      const ies = IOInterruptEventSource.interruptEventSource(null, (_o, _x, n) => out.push(`wl${w} irq ${n}`))!;
      const tes = IOTimerEventSource.timerEventSource(null, () => void out.push(`wl${w} timer ${s.nowMS()}`));
      wl.addEventSource(ies);
      wl.addEventSource(tes);
      tes.setTimeoutMS(w % 2);
      ies.interruptOccurred();
    }
    await s.runAll();
    return out;
  };

  it("the same seed gives the same event order", async () => {
    for (const seed of [1, 2, 3, 99]) expect(await trace(seed)).toEqual(await trace(seed));
  });

  it("instance counts return to baseline when work loops are released", () => {
    const names = ["IOWorkLoop", "IOTimerEventSource", "IOInterruptEventSource", "IOCommandGate"];
    const counts = () => names.map((n) => OSMetaClass.getMetaClassWithName(n)?.getInstanceCount());
    const before = counts();
    const { wl } = setup();
    const t = IOTimerEventSource.timerEventSource(null, () => {});
    const g = IOCommandGate.commandGate(null);
    wl.addEventSource(t);
    wl.addEventSource(g);
    t.release();
    g.release();
    expect(counts()).not.toEqual(before);
    wl.release();
    expect(counts()).toEqual(before);
  });
});
