/**
 * `IOPMPowerState` — one entry of a driver's power-state table — and the checks
 * `registerPowerDriver` makes before it accepts a table.
 *
 * The table is copied on registration (drivers may reuse their array); version 2 tables carry a
 * `stateOrder` permutation that ranks states independently of their index, which every comparison
 * in the state machine goes through ({@link PowerStateTable.order}).
 */
import { kIOReturnBadArgument, type IOReturn } from "../../base/index.ts";
import { kIOPMAOTPower, kIOPMDeviceUsable, IOPMNoErr } from "./pmConstants.ts";

/** One power state, fields in Apple's order; times in microseconds, powers in milliwatts. */
export interface IOPMPowerState {
  /** 1, or 2 when `stateOrder` is meaningful. */
  readonly version: number;
  readonly capabilityFlags: number;
  readonly outputPowerCharacter: number;
  readonly inputPowerRequirement: number;
  readonly staticPower?: number;
  /** Version 2 only: the state's rank; the ranks of a table form a permutation of 0…n−1. */
  readonly stateOrder?: number;
  readonly powerToAttain?: number;
  readonly timeToAttain?: number;
  /** µs to wait after raising into this state before telling anyone it is reached. */
  readonly settleUpTime?: number;
  readonly timeToLower?: number;
  /** µs to wait after lowering into this state. */
  readonly settleDownTime?: number;
  readonly powerDomainBudget?: number;
}

/** A validated, copied table. */
export interface PowerStateTable {
  readonly states: readonly IOPMPowerState[];
  /** `order[i]`: the rank of state i (its index for version 1 tables). */
  readonly order: readonly number[];
  /** The lowest-ranked state whose capability includes kIOPMDeviceUsable, or the highest state. */
  readonly usableState: number;
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

/**
 * The `registerPowerDriver` checks: kIOReturnBadArgument for a missing table, fewer than two
 * states, a first state of version > 2, malformed fields, or an incomplete version-2 `stateOrder`
 * permutation. AOT states are neutralised (the AOT bit cleared) unless `aotEnabled`.
 */
export function validatePowerStates(states: readonly IOPMPowerState[] | null | undefined, count = states?.length ?? 0, aotEnabled = false): { result: IOReturn; table?: PowerStateTable } {
  if (!states || !Array.isArray(states) || !isInt(count) || count < 2 || count > states.length) return { result: kIOReturnBadArgument };
  const first = states[0];
  if (typeof first !== "object" || first === null || !isInt(first.version) || first.version > 2) return { result: kIOReturnBadArgument };
  const v2 = first.version === 2;
  const copied: IOPMPowerState[] = [];
  const order: number[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < count; i++) {
    const s = states[i];
    if (typeof s !== "object" || s === null) return { result: kIOReturnBadArgument };
    if (!isInt(s.capabilityFlags) || !isInt(s.outputPowerCharacter) || !isInt(s.inputPowerRequirement)) return { result: kIOReturnBadArgument };
    const strip = aotEnabled ? 0xffffffff : ~kIOPMAOTPower;
    copied.push({
      ...s,
      capabilityFlags: (s.capabilityFlags & strip) >>> 0,
      outputPowerCharacter: (s.outputPowerCharacter & strip) >>> 0,
      inputPowerRequirement: (s.inputPowerRequirement & strip) >>> 0,
    });
    if (v2) {
      const o = s.stateOrder;
      if (!isInt(o) || o < 0 || o >= count || seen.has(o)) return { result: kIOReturnBadArgument };
      seen.add(o);
      order.push(o);
    } else order.push(i);
  }
  let usable = -1;
  for (let i = 0; i < count; i++) {
    if ((copied[i]!.capabilityFlags & kIOPMDeviceUsable) === 0) continue;
    if (usable < 0 || order[i]! < order[usable]!) usable = i;
  }
  if (usable < 0) usable = highestState(order);
  return { result: IOPMNoErr, table: { states: copied, order, usableState: usable } };
}

/** The index of the highest-ranked state. */
export function highestState(order: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < order.length; i++) if (order[i]! > order[best]!) best = i;
  return best;
}
