/**
 * What the classic (pre-2022) user clients of the samples share, compiled into each kext that
 * imports it (kextbuild bundles files outside `src/`): a dispatch entry that finds the driver the
 * client is attached to, and a base class whose `externalMethod` bounds-checks the selector before
 * handing the kernel the table's entry — whose counts and sizes the kernel then checks — and whose
 * `clientClose` terminates the client. A sample's own user client is its method table.
 */
import type { IOExternalMethodArguments, IOExternalMethodDispatch } from "../../src/kernel/index.ts";
import { IOUserClient } from "../../src/kernel/index.ts";
import { kIOReturnBadArgument, kIOReturnNotAttached, kIOReturnSuccess, type IOReturn } from "../../src/base/index.ts";

/** The counts and sizes a method requires (0 when left out; `kIOUCVariableStructureSize` for any). */
export interface MethodShape {
  readonly scalarIn?: number;
  readonly structIn?: number;
  readonly scalarOut?: number;
  readonly structOut?: number;
}

/**
 * An `IOExternalMethodDispatch` entry calling `fn(driver, args)` with the client's provider, once
 * `ready(driver)` holds (else kIOReturnNotAttached).
 */
export function sampleMethod<D>(fn: (driver: D, args: IOExternalMethodArguments) => IOReturn | Promise<IOReturn>, shape: MethodShape, ready: (driver: D) => boolean = () => true): IOExternalMethodDispatch {
  return {
    function: (target, _reference, args) => {
      const driver = (target as IOUserClient).getProvider() as D | undefined;
      return driver === undefined || !ready(driver) ? kIOReturnNotAttached : fn(driver, args);
    },
    checkScalarInputCount: shape.scalarIn ?? 0, checkStructureInputSize: shape.structIn ?? 0,
    checkScalarOutputCount: shape.scalarOut ?? 0, checkStructureOutputSize: shape.structOut ?? 0,
  };
}

/** A classic user client over a method table. */
export class SampleUserClient extends IOUserClient {
  /** The dispatch table, indexed by selector. */
  get methods(): readonly IOExternalMethodDispatch[] {
    return [];
  }

  override externalMethod(selector: number, args: IOExternalMethodArguments): IOReturn | Promise<IOReturn> {
    const table = this.methods;
    if (selector >= table.length) return kIOReturnBadArgument;
    return super.externalMethod(selector, args, table[selector], this);
  }

  override clientClose(): IOReturn {
    this.terminate();
    return kIOReturnSuccess;
  }
}
