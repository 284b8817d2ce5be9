/**
 * IOService state bits (`__state[0]`) and busy-count limits as tools show them. The registry keeps
 * these on every entry that is an IOService so that `ioreg` and matching read one source of truth.
 */

/** The service is terminated or being terminated. */
export const kIOServiceInactiveState = 0x1;
/** `registerService()` has run. */
export const kIOServiceRegisteredState = 0x2;
/** Matching has run on the service. */
export const kIOServiceMatchedState = 0x4;
/** The first publish notification has been delivered. */
export const kIOServiceFirstPublishState = 0x8;
/** The first matching pass has completed. */
export const kIOServiceFirstMatchState = 0x10;
/** Hidden from user space. */
export const kIOServiceUserInvisibleState = 0x80000000;

/** The largest busy count (`__state[1] & 0x3FF`). */
export const kIOServiceBusyMax = 1023;

/** `kIOMessageServiceBusyStateChange`, sent to IOBusyInterest listeners on every busy transition. */
export const kIOMessageServiceBusyStateChange = 0xe0000120;
