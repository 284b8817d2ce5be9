import { describe, expect, it } from "vitest";
import { dict } from "../../libkern/index.ts";
import { OSMetaClass } from "../object/index.ts";
import {
  IOInterruptEventSource, findMessagedInterruptIndex, kIOInterruptTypeLevel, kIOInterruptTypePCIMessaged,
} from "../workloop/index.ts";
import { IOKernel } from "./IOKernel.ts";
import { IOService } from "./IOService.ts";

const delivered: number[] = [];

class IrqNub extends IOService {}
OSMetaClass.define(IrqNub, "TestIrqNub");

class IrqDriver extends IOService {
  override start(provider: IOService): boolean {
    const index = findMessagedInterruptIndex(provider);
    if (index === undefined) return false;
    const ies = IOInterruptEventSource.interruptEventSource(this, (_o, _s, n) => void delivered.push(n), provider, index);
    if (!ies) return false;
    const loop = this.getWorkLoop();
    loop.addEventSource(ies);
    this.resources.defer(() => {
      loop.removeEventSource(ies);
      ies.release();
    });
    return true;
  }
}
OSMetaClass.define(IrqDriver, "TestIrqDriver");

describe("IOService interrupts", () => {
  it("a driver finds the MSI vector after the legacy pin and gets its interrupts on the work loop", async () => {
    const k = new IOKernel();
    k.addDrivers([dict({ IOProviderClass: "TestIrqNub", IOClass: "TestIrqDriver" })]);
    const nub = new IrqNub(k.registry);
    expect(nub.interruptLines.add(kIOInterruptTypeLevel)).toBe(0);
    expect(nub.interruptLines.add(kIOInterruptTypePCIMessaged)).toBe(1);
    nub.attach(k.platform);
    nub.registerService();
    await k.runUntilIdle();
    expect(nub.getClient()?.className).toBe("TestIrqDriver");
    nub.causeInterrupt(1);
    nub.causeInterrupt(1);
    nub.causeInterrupt(0); // the legacy pin: nobody registered it
    await k.runUntilIdle();
    expect(delivered).toEqual([2]);
    nub.terminate();
    await k.runUntilIdle();
    nub.causeInterrupt(1); // unregistered when the driver stopped
    await k.runUntilIdle();
    expect(delivered).toEqual([2]);
    expect(() => nub.registerInterrupt(7, () => {})).toThrow(/Cannot find interrupt 7/);
    nub.release();
  });

  it("a line raised while disabled is delivered once on enable", () => {
    const nub = new IrqNub(new IOKernel().registry);
    const i = nub.interruptLines.add(0);
    let n = 0;
    nub.registerInterrupt(i, () => void n++);
    nub.causeInterrupt(i);
    nub.causeInterrupt(i);
    expect(n).toBe(0);
    nub.enableInterrupt(i);
    expect(n).toBe(1);
    expect(() => nub.registerInterrupt(i, () => {})).toThrow(/already registered/);
    nub.release();
  });
});
