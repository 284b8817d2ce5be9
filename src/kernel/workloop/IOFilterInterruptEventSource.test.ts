import { describe, expect, it } from "vitest";
import { Scheduler } from "../scheduler/index.ts";
import {
  IOFilterInterruptEventSource, IOInterruptEventSource, IOWorkLoop, findMessagedInterruptIndex, kIOInterruptTypeEdge,
  kIOInterruptTypeLevel, kIOInterruptTypePCIMessaged, kIOInterruptTypePCIMessagedX, type InterruptProvider,
} from "./index.ts";

/** A nub with interrupt lines whose types are given; it records masking and can raise a line. */
class FakeNub implements InterruptProvider {
  readonly log: string[] = [];
  readonly handlers = new Map<number, () => void>();
  readonly masked = new Set<number>();
  readonly types: number[];
  constructor(types: number[]) {
    this.types = types;
  }
  getInterruptType(i: number): number | undefined {
    return this.types[i];
  }
  registerInterrupt(i: number, h: () => void): void {
    this.handlers.set(i, h);
  }
  unregisterInterrupt(i: number): void {
    this.handlers.delete(i);
  }
  enableInterrupt(i: number): void {
    this.log.push(`en ${i}`);
    this.masked.delete(i);
  }
  disableInterrupt(i: number): void {
    this.log.push(`dis ${i}`);
    this.masked.add(i);
  }
  /** The hardware raises line i: delivered only while unmasked. */
  raise(i: number): void {
    if (!this.masked.has(i)) this.handlers.get(i)?.();
  }
}

describe("IOFilterInterruptEventSource", () => {
  it("runs the filter on every interrupt and the action only for accepted ones", async () => {
    const s = new Scheduler();
    const wl = IOWorkLoop.workLoop(s);
    const nub = new FakeNub([kIOInterruptTypeEdge]);
    let accept = false;
    const counts: number[] = [];
    const fes = IOFilterInterruptEventSource.filterInterruptEventSource(null, (_o, _s, n) => counts.push(n), () => accept, nub, 0)!;
    wl.addEventSource(fes);
    nub.raise(0);
    nub.raise(0);
    await s.runUntilIdle();
    expect(counts).toEqual([]);
    expect(fes.filterCount).toBe(2);
    accept = true;
    nub.raise(0);
    await s.runUntilIdle();
    expect(counts).toEqual([1]);
  });

  it("masks a level interrupt from the primary handler until the action has run", async () => {
    const s = new Scheduler();
    const wl = IOWorkLoop.workLoop(s);
    const nub = new FakeNub([kIOInterruptTypeLevel]);
    const counts: number[] = [];
    const ies = IOInterruptEventSource.interruptEventSource(null, (_o, _s, n) => {
      expect(nub.masked.has(0)).toBe(true);
      counts.push(n);
    }, nub, 0)!;
    expect(ies.autoDisable).toBe(true);
    wl.addEventSource(ies);
    nub.raise(0);
    nub.raise(0); // masked: the level line cannot storm the loop
    await s.runUntilIdle();
    expect(counts).toEqual([1]);
    expect(nub.masked.has(0)).toBe(false);
  });
});

describe("MSI interrupt indexes", () => {
  it("finds the first messaged vector after the legacy pin", () => {
    const nub = new FakeNub([kIOInterruptTypeLevel, kIOInterruptTypePCIMessaged, kIOInterruptTypePCIMessaged | kIOInterruptTypePCIMessagedX]);
    expect(findMessagedInterruptIndex(nub)).toBe(1);
    expect(findMessagedInterruptIndex(nub, true)).toBe(2);
    expect(findMessagedInterruptIndex(new FakeNub([kIOInterruptTypeLevel]))).toBeUndefined();
  });

  it("an MSI vector is edge-like: no auto-disable", () => {
    const nub = new FakeNub([kIOInterruptTypeLevel, kIOInterruptTypePCIMessaged]);
    const ies = IOInterruptEventSource.interruptEventSource(null, () => {}, nub, findMessagedInterruptIndex(nub))!;
    expect(ies.getIntIndex()).toBe(1);
    expect(ies.autoDisable).toBe(false);
  });
});
