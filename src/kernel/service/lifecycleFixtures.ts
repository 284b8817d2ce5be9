/**
 * Shared fixtures of the lifecycle tests: a nub class, a driver class whose behaviour its personality
 * decides, and a kernel booted with one nub. Test-only; never imported by the kernel.
 */
import { kIOReturnSuccess, type IOReturn } from "../../base/index.ts";
import { dict, type OSDictionary } from "../../libkern/index.ts";
import { OSMetaClass } from "../object/index.ts";
import { IOKernel } from "./IOKernel.ts";
import { IOService } from "./IOService.ts";
import { kIOMessageServiceIsRequestingClose } from "./serviceConstants.ts";

/** Everything the test drivers do, in order. */
export const trace: string[] = [];

/** A bus nub that drivers match on. */
export class TestNub extends IOService {
  override stop(provider: IOService): void {
    trace.push(`stop ${this.getName()} from ${provider.getName()}`);
  }
}
OSMetaClass.define(TestNub, "TestLifecycleNub");

/** A driver whose behaviour its personality decides: TestScoreDelta, TestStart ("fail"|"throw"), TestProbe ("decline"|"throw"). */
export class TestDriver extends IOService {
  override probe(provider: IOService, score: number): number | null {
    const tag = this.stringProperty("TestTag") ?? "?";
    trace.push(`probe ${tag} ${score}`);
    const mode = this.stringProperty("TestProbe");
    if (mode === "decline") return null;
    if (mode === "throw") throw new Error("probe exploded");
    const delta = this.getProperty("TestScoreDelta");
    return score + (delta instanceof Object && "value" in delta ? Number((delta as { value: bigint }).value) : 0);
  }
  override start(provider: IOService): boolean {
    const tag = this.stringProperty("TestTag") ?? "?";
    trace.push(`start ${tag}`);
    const mode = this.stringProperty("TestStart");
    if (mode === "throw") throw new Error("start exploded");
    if (this.getProperty("TestMakeChild") === true) {
      const child = new TestNub(this.registry, { name: `${tag}-child` });
      child.setProperty("TestChild", true);
      child.attach(this);
      child.registerService();
      child.release();
    }
    if (mode === "fail") {
      // Leave something behind that a failed start must clean up.
      const child = new TestNub(this.registry);
      child.attach(this);
      child.release();
      this.resources.defer(() => trace.push(`cleanup ${tag}`));
      return false;
    }
    return true;
  }
  override stop(provider: IOService): void {
    trace.push(`stop ${this.stringProperty("TestTag") ?? "?"} from ${provider.getName()}`);
  }
  override willTerminate(provider: IOService, options: number): boolean {
    trace.push(`willTerminate ${this.stringProperty("TestTag") ?? "?"}`);
    return super.willTerminate(provider, options);
  }
  override didTerminate(provider: IOService, options: number): boolean {
    trace.push(`didTerminate ${this.stringProperty("TestTag") ?? "?"}`);
    return super.didTerminate(provider, options);
  }
  override message(type: number, provider: IOService, arg?: unknown): IOReturn {
    if (type === kIOMessageServiceIsRequestingClose && this.getProperty("TestCloseOnRequest") === true) {
      provider.close(this);
      return kIOReturnSuccess;
    }
    return super.message(type, provider, arg);
  }
}
OSMetaClass.define(TestDriver, "TestLifecycleDriver", { kmodName: "com.example.driver" });

export const personality = (tag: string, extra: Record<string, unknown> = {}): OSDictionary => dict({
  IOProviderClass: "TestLifecycleNub", IOClass: "TestLifecycleDriver", CFBundleIdentifier: "com.example.driver",
  TestTag: tag, ...(extra as Record<string, never>),
});

export const counts = (): { driver: number; nub: number } => ({
  driver: OSMetaClass.getMetaClassWithName("TestLifecycleDriver")?.getInstanceCount() ?? 0,
  nub: OSMetaClass.getMetaClassWithName("TestLifecycleNub")?.getInstanceCount() ?? 0,
});

export async function bootWithNub(personalities: OSDictionary[], options: { name?: string } = {}) {
  const k = new IOKernel();
  k.addDrivers(personalities);
  const nub = new TestNub(k.registry, { name: options.name ?? "nub0" });
  nub.attach(k.platform);
  nub.registerService();
  nub.release();
  trace.length = 0;
  await k.runUntilIdle();
  return { k, nub };
}
