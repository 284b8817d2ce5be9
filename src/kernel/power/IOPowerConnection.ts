/**
 * IOPowerConnection: the object between a power parent and a power child in the IOPower plane, as
 * xnu links them — parent → IOPowerConnection → child — so `ioreg -p IOPower` shows Apple's tree.
 *
 * The connection carries the child's standing request on the parent (`desiredDomainState`: the
 * lowest parent state whose output satisfies the child's wish) and whether the child is ready to
 * be told about parent changes. It is an IOService, counted by ioclasscount like any other object,
 * and released when the child leaves the tree.
 */
import { OSMetaClass } from "../object/index.ts";
import { IOService } from "../service/index.ts";
import type { IOServicePM } from "./IOServicePM.ts";

export class IOPowerConnection extends IOService {
  /** @internal */
  parentPM: IOServicePM | null = null;
  /** @internal */
  childPM: IOServicePM | null = null;
  /** The parent state (index) the child needs (`getDesiredDomainState`). */
  desiredDomainState = 0;
  /** Whether the child takes part in the parent's changes (`getReadyFlag`). */
  readyFlag = false;
  /** Whether the parent waits for this child's acknowledgement. */
  awaitingAck = false;

  getDesiredDomainState(): number {
    return this.desiredDomainState;
  }

  getReadyFlag(): boolean {
    return this.readyFlag;
  }
}
OSMetaClass.define(IOPowerConnection, "IOPowerConnection");
