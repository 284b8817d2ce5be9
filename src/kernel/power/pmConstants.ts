/**
 * Power-management constants with Apple's names and values (IOPM.h, IOPMpowerState.h, IOMessage.h,
 * RootDomain.h, IOPMLib.h): power-state flags, acknowledgement return codes, device and system
 * messages, root-domain states, capability bits and assertion types.
 */

// ---- IOPMPowerFlags (capabilityFlags, outputPowerCharacter, inputPowerRequirement) ----
export const kIOPMPowerOn = 0x2;
export const kIOPMDeviceUsable = 0x8000;
export const kIOPMLowPower = 0x10000;
export const kIOPMAOTPower = 0x20000;
export const kIOPMPreventIdleSleep = 0x40;
export const kIOPMSleepCapability = 0x4;
export const kIOPMRestartCapability = 0x80;
export const kIOPMSleep = 0x1;
export const kIOPMRestart = 0x80;
export const kIOPMInitialDeviceState = 0x100;
export const kIOPMRootDomainState = 0x200;
export const kIOPMClockNormal = 0x4;
export const kIOPMClockRunning = 0x8;
export const kIOPMPreventSystemSleep = 0x10;
export const kIOPMAuxPowerOn = 0x20;
export const kIOPMPassThrough = 0x100;
export const kIOPMNotAttainable = 0x1;
export const kIOPMConfigRetained = 0x1000;
export const kIOPMContextRetained = 0x2000;
export const kIOPMNotPowerManaged = 0x800;

/** Advisory maximum number of power states. */
export const kIOPMMaxPowerStates = 10;

// ---- setPowerState / acknowledgement return codes ----
export const IOPMAckImplied = 0;
export const kIOPMAckImplied = 0;
export const IOPMWillAckLater = 1;
export const IOPMNotYetInitialized = 8;
export const IOPMNoErr = 0;

/** `kMinAckTimeoutTicks` in microseconds: the least time a driver gets to acknowledge (10 s). */
export const kMinAckTimeoutUS = 10_000_000;
/** `ACK_TIMER_PERIOD`: the acknowledgement timer ticks every 100 ms. */
export const ACK_TIMER_PERIOD_MS = 100;
/** The 30 s limit for applications' answers to system sleep messages. */
export const kSystemSleepAckTimeoutMS = 30_000;
/** A maintenance (dark) wake lasts at most this long before the system sleeps again. */
export const kDarkWakeMaxMS = 30_000;

// ---- device power messages ----
export const kIOMessageCanDevicePowerOff = 0xe0000200;
export const kIOMessageDeviceWillPowerOff = 0xe0000210;
export const kIOMessageDeviceWillPowerOn = 0xe0000215;
export const kIOMessageDeviceWillNotPowerOff = 0xe0000220;
export const kIOMessageDeviceHasPoweredOff = 0xe0000225;
export const kIOMessageDeviceHasPoweredOn = 0xe0000230;

// ---- system power messages ----
export const kIOMessageCanSystemPowerOff = 0xe0000240;
export const kIOMessageSystemWillPowerOff = 0xe0000250;
export const kIOMessageSystemPagingOff = 0xe0000255;
export const kIOMessageSystemWillNotPowerOff = 0xe0000260;
export const kIOMessageCanSystemSleep = 0xe0000270;
export const kIOMessageSystemWillSleep = 0xe0000280;
export const kIOMessageSystemWillNotSleep = 0xe0000290;
export const kIOMessageSystemHasPoweredOn = 0xe0000300;
export const kIOMessageSystemWillRestart = 0xe0000310;
export const kIOMessageSystemWillPowerOn = 0xe0000320;
export const kIOMessageSystemCapabilityChange = 0xe0000340;

// ---- root domain power states ----
export const OFF_STATE = 0;
export const RESTART_STATE = 1;
export const SLEEP_STATE = 2;
export const AOT_STATE = 3;
export const ON_STATE = 4;

// ---- system capabilities (kIOMessageSystemCapabilityChange) ----
export const kIOPMSystemCapabilityCPU = 0x1;
export const kIOPMSystemCapabilityGraphics = 0x2;
export const kIOPMSystemCapabilityAudio = 0x4;
export const kIOPMSystemCapabilityNetwork = 0x8;
export const kIOPMSystemCapabilityWillChange = 0x1;
export const kIOPMSystemCapabilityDidChange = 0x2;

// ---- kernel driver assertion bits (createPMAssertion) ----
export const kIOPMDriverAssertionCPUBit = 0x1;
export const kIOPMDriverAssertionPreventSystemIdleSleepBit = 0x2;
export const kIOPMDriverAssertionUSBExternalDeviceBit = 0x4;
export const kIOPMDriverAssertionBluetoothHIDDevicePairedBit = 0x8;
export const kIOPMDriverAssertionExternalMediaMountedBit = 0x10;
export const kIOPMDriverAssertionPreventDisplaySleepBit = 0x40;
export const kIOPMDriverAssertionMagicPacketWakeEnabledBit = 0x100;
export const kIOPMDriverAssertionNetworkKeepAliveActiveBit = 0x200;

// ---- user-space assertions (IOPMLib.h) ----
export const kIOPMAssertionTypeKey = "AssertType";
export const kIOPMAssertionLevelKey = "AssertLevel";
export const kIOPMAssertionLevelOn = 255;
export const kIOPMAssertionLevelOff = 0;
export const kIOPMAssertionTypePreventUserIdleSystemSleep = "PreventUserIdleSystemSleep";
export const kIOPMAssertionTypePreventUserIdleDisplaySleep = "PreventUserIdleDisplaySleep";
export const kIOPMAssertionTypePreventSystemSleep = "PreventSystemSleep";
export const kIOPMAssertionTypeNoIdleSleep = "NoIdleSleepAssertion";
export const kIOPMAssertionTypeNoDisplaySleep = "NoDisplaySleepAssertion";
export const kIOPMAssertionTypePreventDiskIdle = "PreventDiskIdle";
export const kIOPMAssertionTypeNetworkClientActive = "NetworkClientActive";
export const kIOPMAssertionTimeoutActionLog = "TimeoutActionLog";
export const kIOPMAssertionTimeoutActionTurnOff = "TimeoutActionTurnOff";
export const kIOPMAssertionTimeoutActionRelease = "TimeoutActionRelease";

// ---- power clients (IOServicePMPrivate.h) ----
export const gIOPMPowerClientDevice = "DevicePowerState";
export const gIOPMPowerClientDriver = "DriverPowerState";
export const gIOPMPowerClientChildren = "ChildrenPowerState";
export const gIOPMPowerClientChildProxy = "ChildProxyPowerState";
export const gIOPMPowerClientAdvisoryTickle = "AdvisoryTicklePowerState";

/** The IOPower plane's name. */
export const gIOPowerPlane = "IOPower";
/** The property set on a service whose driver missed its setPowerState acknowledgement deadline. */
export const kIOPMTardyAckSPSKey = "IOPMTardyAckSetPowerState";
/** The property set on a service whose interested driver missed its deadline. */
export const kIOPMTardyAckPSCKey = "IOPMTardyAckPowerStateChange";
