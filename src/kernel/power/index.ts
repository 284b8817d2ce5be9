/**
 * Power management: device power states and the power tree (IOServicePM, IOPowerConnection, the
 * IOService PM methods), system sleep/wake (IOPMrootDomain), assertions, and the generated power
 * machine with its sleep/wake cycler.
 */
import "./IOServicePMMethods.ts";
export * from "./pmConstants.ts";
export { validatePowerStates, type IOPMPowerState, type PowerStateTable } from "./IOPMPowerState.ts";
export { IOPMWorkQueue } from "./IOPMWorkQueue.ts";
export { PMContext, existingPMContext, type AckTimeoutPolicy, type PMLogEvent, type PMFault, type SystemPowerEvent } from "./PMContext.ts";
export { IOPowerConnection } from "./IOPowerConnection.ts";
export { IOServicePM, bundleOf, type PowerTransition } from "./IOServicePM.ts";
export { kIOPMSuperclassPolicy1, isUsable, pmContextOf, pmOf } from "./IOServicePMMethods.ts";
export { IOPMAssertions, SYSTEM_WIDE_TYPES, type AssertionOptions, type IOPMAssertion, type IOPMDriverAssertion } from "./IOPMAssertions.ts";
export {
  IOPMrootDomain, IORootParent, ROOT_DOMAIN_POWER_STATES, getPMRootDomain, nextRepeatMs, kIOSystemLoadAdvisoryLevelBad, kIOSystemLoadAdvisoryLevelGreat,
  kIOSystemLoadAdvisoryLevelOK, type SystemPowerHandler, type SystemState,
} from "./IOPMrootDomain.ts";
export { joinPowerTree, kOffLowOnPowerStates, kOffOnPowerStates } from "./joinPowerTree.ts";
export {
  IOPMSettings, PM_POWER_SOURCES, PM_SETTINGS, REPEAT_OFF_TYPES, REPEAT_ON_TYPES, type PMPowerSource, type PMSettingInfo,
} from "./IOPMSettings.ts";
export { pmSnapshot, type PMKernelAssertionInfo, type PMRepeatingEvent, type PMRepeatingEvents, type PMSettingsProfiles, type PMScheduledEvent, type PMSnapshot, type PMUserAssertionInfo } from "./pmSnapshot.ts";
export { formatPanicLog, type PanicInfo } from "./panicLog.ts";
export {
  SimPowerAsyncDevice, SimPowerBridge, SimPowerDevice, generatePowerMachine, generateTreeShape, type PowerMachine, type PowerMachineOptions,
} from "./generatePowerMachine.ts";
export { driveUntil, runSleepCycles, type CycleFailure, type DeviceTiming, type SleepCycleOptions, type SleepCycleReport } from "./runSleepCycles.ts";
