/**
 * Test services and user clients for the user-client and IOKitLib suites: a 2022 client with
 * scalar, structure, async, entitlement-gated and empty selectors plus shared memory; a legacy
 * table client; an entitlement-gated open; a root-only factory; a 2022 client missing its locking
 * properties.
 */
import {
  IOBufferMemoryDescriptor, IOService, IOUserClient, IOUserClient2022, OSMetaClass, clientHasPrivilege, kIOUCScalarIScalarO,
  kIOUCStructIStructO, kIOUCVariableStructureSize, type ClientMemory, type IOExternalMethod,
  type IOExternalMethodArguments, type IOExternalMethodDispatch2022, type IOKernel, type NewUserClientResult, type UserTask,
} from "../../src/kernel/index.ts";
import { kIOReturnBadArgument, kIOReturnSuccess, type IOReturn } from "../../src/base/index.ts";
import type { OSDictionary } from "../../src/libkern/index.ts";

export const kPerSelectorEntitlement = "com.apple.iokit.test-check-entitlement-per-selector";
export const kOpenEntitlement = "com.apple.iokit.test-check-entitlement-open";
const V = kIOUCVariableStructureSize;

const lockingProps = (uc: IOUserClient): void => {
  uc.setProperty("IOUserClientDefaultLocking", true);
  uc.setProperty("IOUserClientDefaultLockingSetProperties", true);
  uc.setProperty("IOUserClientDefaultLockingSingleThreadExternalMethod", false);
};

/** Selectors of {@link FixtureUserClient}. */
export const Sel = { add: 0, echo: 1, asyncDouble: 2, entitled: 3, empty: 4, fixed: 5 } as const;

const METHODS: readonly IOExternalMethodDispatch2022[] = [
  { function: (_t, _r, a) => { a.scalarOutput[0] = BigInt.asUintN(64, (a.scalarInput[0] ?? 0n) + (a.scalarInput[1] ?? 0n)); return kIOReturnSuccess; },
    checkScalarInputCount: 2, checkStructureInputSize: 0, checkScalarOutputCount: 1, checkStructureOutputSize: 0, allowAsync: false },
  { function: (_t, _r, a) => { const n = Math.min(a.structureInput.length, a.structureOutput.length); a.structureOutput.set(a.structureInput.subarray(0, n)); a.structureOutputSize = n; return kIOReturnSuccess; },
    checkScalarInputCount: 0, checkStructureInputSize: V, checkScalarOutputCount: 0, checkStructureOutputSize: V, allowAsync: false },
  { function: (t, _r, a) => {
    const uc = t as FixtureUserClient;
    const ref = a.asyncReference;
    const x = a.scalarInput[0] ?? 0n;
    uc.getWorkLoop().scheduler.post(() => { if (ref) uc.sendAsyncResult64(ref, kIOReturnSuccess, [x * 2n]); }, "fixture async");
    return kIOReturnSuccess;
  }, checkScalarInputCount: 1, checkStructureInputSize: 0, checkScalarOutputCount: 0, checkStructureOutputSize: 0, allowAsync: true },
  { function: () => kIOReturnSuccess, checkScalarInputCount: 0, checkStructureInputSize: 0, checkScalarOutputCount: 0, checkStructureOutputSize: 0,
    allowAsync: false, checkEntitlement: kPerSelectorEntitlement },
  { function: null, checkScalarInputCount: 0, checkStructureInputSize: 0, checkScalarOutputCount: 0, checkStructureOutputSize: 0, allowAsync: false },
  { function: (_t, _r, a) => { a.structureOutput.fill(7); return kIOReturnSuccess; },
    checkScalarInputCount: 0, checkStructureInputSize: 8, checkScalarOutputCount: 0, checkStructureOutputSize: 16, allowAsync: false },
];

/** The 2022 fixture client. */
export class FixtureUserClient extends IOUserClient2022 {
  memory: IOBufferMemoryDescriptor | undefined;

  override initWithTask(task: UserTask, sid: unknown, type: number, props?: OSDictionary): boolean {
    if (!super.initWithTask(task, sid, type, props)) return false;
    lockingProps(this);
    this.setProperty("IOUserClientEntitlements", false);
    return true;
  }

  override externalMethod(selector: number, args: IOExternalMethodArguments): IOReturn | Promise<IOReturn> {
    return this.dispatchExternalMethod(selector, args, METHODS, this);
  }

  override clientMemoryForType(type: number): ClientMemory {
    if (type !== 0) return super.clientMemoryForType(type);
    this.memory ??= IOBufferMemoryDescriptor.withCapacity(4096);
    this.memory.retain();
    return { ret: kIOReturnSuccess, memory: this.memory };
  }

  override clientClose(): IOReturn {
    this.terminate();
    return kIOReturnSuccess;
  }

  override stop(provider: IOService): void {
    this.memory?.release();
    this.memory = undefined;
    super.stop(provider);
  }
}
OSMetaClass.define(FixtureUserClient, "FixtureUserClient");

/** Opening needs {@link kOpenEntitlement}. */
export class EntitledUserClient extends FixtureUserClient {
  override initWithTask(task: UserTask, sid: unknown, type: number, props?: OSDictionary): boolean {
    if (!super.initWithTask(task, sid, type, props)) return false;
    this.setProperty("IOUserClientEntitlements", kOpenEntitlement);
    return true;
  }
}
OSMetaClass.define(EntitledUserClient, "EntitledUserClient");

/** A 2022 client without the mandatory locking properties. */
export class UnlockedUserClient extends IOUserClient2022 {}
OSMetaClass.define(UnlockedUserClient, "UnlockedUserClient");

/** A legacy client: selector 0 adds two scalars, selector 1 echoes a structure. */
export class LegacyUserClient extends IOUserClient {
  override getTargetAndMethodForIndex(index: number): IOExternalMethod | undefined {
    if (index === 0) return { object: this, flags: kIOUCScalarIScalarO, count0: 2, count1: 1, func: (_t, c) => { c.scalarOutput[0] = (c.scalarInput[0] ?? 0n) + (c.scalarInput[1] ?? 0n); return kIOReturnSuccess; } };
    if (index === 1) return { object: this, flags: kIOUCStructIStructO, count0: 4, count1: 4, func: (_t, c) => { c.structureOutput.set(c.structureInput); return kIOReturnSuccess; } };
    if (index === 2) return { object: this, flags: 7, count0: 0, count1: 0, func: () => kIOReturnSuccess };
    return undefined;
  }

  override clientClose(): IOReturn {
    this.terminate();
    return kIOReturnSuccess;
  }
}
OSMetaClass.define(LegacyUserClient, "LegacyUserClient");

/** A service whose user clients are `IOUserClientClass`. */
export class FixtureService extends IOService {}
OSMetaClass.define(FixtureService, "FixtureService");

/** Opens only for root: its own 4-argument newUserClient checks the privilege. */
export class RootOnlyService extends IOService {
  newUserClient(task: UserTask, sid: unknown, type: number, props: OSDictionary | undefined): NewUserClientResult {
    const p = clientHasPrivilege(task, "root");
    if (p !== kIOReturnSuccess) return { ret: p };
    const uc = new FixtureUserClient(this.registry);
    if (!uc.initWithTask(task, sid, type, props) || !uc.attach(this)) {
      uc.release();
      return { ret: kIOReturnBadArgument };
    }
    return { ret: kIOReturnSuccess, client: uc };
  }
}
OSMetaClass.define(RootOnlyService, "RootOnlyService");

/** Publishes the fixture services on `kernel`'s platform expert; returns them by name. */
export function publishFixtures(kernel: IOKernel): Record<string, IOService> {
  const out: Record<string, IOService> = {};
  const make = (cls: new (r: IOKernel["registry"]) => IOService, name: string, ucClass?: string): void => {
    const s = new cls(kernel.registry);
    s.setName(name);
    s.setProperty("FixtureName", name);
    if (ucClass) s.setProperty("IOUserClientClass", ucClass);
    s.attach(kernel.platform);
    s.registerService();
    s.release();
    out[name] = s;
  };
  make(FixtureService, "Fixture2022", "FixtureUserClient");
  make(FixtureService, "FixtureEntitled", "EntitledUserClient");
  make(FixtureService, "FixtureUnlocked", "UnlockedUserClient");
  make(FixtureService, "FixtureLegacy", "LegacyUserClient");
  make(FixtureService, "FixtureNoClass");
  make(RootOnlyService, "FixtureRootOnly", "FixtureUserClient");
  return out;
}

