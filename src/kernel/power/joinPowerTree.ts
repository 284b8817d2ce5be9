/**
 * The three calls every power-managed driver makes in `start` (or a nub in `attach`), and the two
 * state tables the in-kernel families register: off/on for controllers and function drivers,
 * off/low-power/on for nubs that can be suspended on their own (a PCI function in D3hot that keeps
 * its configuration, a suspended USB device). In every "on" state the output character is
 * kIOPMPowerOn, which is what the drivers below (whose "on" requires kIOPMPowerOn) need; the low
 * state does not give it, so children are off whenever their parent is not fully on.
 */
import type { IOReturn } from "../../base/index.ts";
import type { IOService } from "../service/index.ts";
import type { IOPMPowerState } from "./IOPMPowerState.ts";
import { kIOPMConfigRetained, kIOPMDeviceUsable, kIOPMLowPower, kIOPMPowerOn } from "./pmConstants.ts";

// Divergence from XNU: the families' tables are shorter than Apple's (no PCI pause state, one USB
// suspend level); the order of changes and the acknowledgement rules drivers see are the same.
const OFF: IOPMPowerState = { version: 1, capabilityFlags: 0, outputPowerCharacter: 0, inputPowerRequirement: 0 };
const ON: IOPMPowerState = { version: 1, capabilityFlags: kIOPMDeviceUsable | kIOPMPowerOn, outputPowerCharacter: kIOPMPowerOn, inputPowerRequirement: kIOPMPowerOn };

/** Off, on (usable, needs kIOPMPowerOn from the parent). */
export const kOffOnPowerStates: readonly IOPMPowerState[] = Object.freeze([OFF, ON]);

/** Off, low power (configuration retained, not usable), on. */
export const kOffLowOnPowerStates: readonly IOPMPowerState[] = Object.freeze([
  OFF,
  { version: 1, capabilityFlags: kIOPMLowPower | kIOPMConfigRetained, outputPowerCharacter: kIOPMLowPower, inputPowerRequirement: kIOPMPowerOn },
  ON,
]);

/**
 * `PMinit()`, `provider->joinPMtree(driver)`, `registerPowerDriver(driver, states)`, then the first
 * request: `"usable"` is `makeUsable()` (a nub that stays on while its domain is on, driver or not),
 * a number is `changePowerStateTo(n)` (a driver asking for its own state). `driver` joins the power
 * tree under its provider's power parent and controls its own states.
 */
export function joinPowerTree(driver: IOService, provider: IOService, states: readonly IOPMPowerState[], request: "usable" | number): IOReturn {
  driver.PMinit();
  provider.joinPMtree(driver);
  const r = driver.registerPowerDriver(driver, states);
  if (request === "usable") driver.makeUsable();
  else driver.changePowerStateTo(request);
  return r;
}
