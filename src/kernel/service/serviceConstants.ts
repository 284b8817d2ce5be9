/**
 * IOService option bits, message types and notification names (`IOService.h`, `IOMessage.h`).
 */

/** `kIOServiceRequired`. */
export const kIOServiceRequired = 0x1;
/** `kIOServiceSynchronous`: match or terminate inline. */
export const kIOServiceSynchronous = 0x2;
/** `kIOServiceTerminate`: added by `terminate()`. */
export const kIOServiceTerminate = 0x4;
/** `kIOServiceAsynchronous`: force matching onto the config thread. */
export const kIOServiceAsynchronous = 0x8;
/** `kIOServiceTerminateWithRematch`: re-register the provider once the victim is detached. */
export const kIOServiceTerminateWithRematch = 0x10;
/** `kIOServiceTerminateWithRematchCurrentDext`. */
export const kIOServiceTerminateWithRematchCurrentDext = 0x20;
/** `kIOServiceTerminateNeedWillTerminate`. */
export const kIOServiceTerminateNeedWillTerminate = 0x100;

/** `kIOServiceSeize`: an `open` that asks the current owner to close. */
export const kIOServiceSeize = 0x1;

/** `kIOMessageServiceIsTerminated`. */
export const kIOMessageServiceIsTerminated = 0xe0000010;
/** `kIOMessageServiceIsRequestingClose`. */
export const kIOMessageServiceIsRequestingClose = 0xe0000100;
/** `kIOMessageServiceIsAttemptingOpen`. */
export const kIOMessageServiceIsAttemptingOpen = 0xe0000101;
/** `kIOMessageServiceWasClosed`. */
export const kIOMessageServiceWasClosed = 0xe0000110;

/** Matching notification types (`gIO*Notification`). */
export const gIOPublishNotification = "IOServicePublish";
export const gIOFirstPublishNotification = "IOServiceFirstPublish";
export const gIOMatchedNotification = "IOServiceMatched";
export const gIOFirstMatchNotification = "IOServiceFirstMatch";
export const gIOTerminatedNotification = "IOServiceTerminate";
export const gIOWillTerminateNotification = "IOServiceWillTerminate";

/** A matching notification type. */
export type IONotificationType =
  | typeof gIOPublishNotification | typeof gIOFirstPublishNotification | typeof gIOMatchedNotification
  | typeof gIOFirstMatchNotification | typeof gIOTerminatedNotification | typeof gIOWillTerminateNotification;

/** Interest types for `registerInterest`. */
export const gIOGeneralInterest = "IOGeneralInterest";
export const gIOBusyInterest = "IOBusyInterest";
export type IOInterestType = typeof gIOGeneralInterest | typeof gIOBusyInterest;

/** `kIOLog*` debug flags (the `io` boot-arg, or a personality's `IOKitDebug`). */
export const kIOLogAttach = 0x1;
export const kIOLogProbe = 0x2;
export const kIOLogStart = 0x4;
export const kIOLogRegister = 0x8;
export const kIOLogMatch = 0x10;
export const kIOLogConfig = 0x20;
export const kIOLogYield = 0x40;
export const kIOLogPower = 0x80;
export const kIOLogMapping = 0x100;
export const kIOLogCatalogue = 0x200;
export const kIOLogServiceTree = 0x1000;
export const kIOLogDTree = 0x2000;
export const kIOLogPMRootDomain = 0x20000;
