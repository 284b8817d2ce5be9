/**
 * IOReturn: Apple's 32-bit status codes, with the names, `stringFromReturn` texts and errno mappings
 * of iokit-spec §11.
 *
 * Layout: `err_system(x) = (x & 0x3f) << 26`, `err_sub(x) = (x & 0xfff) << 14`, code in the low 14
 * bits. I/O Kit is system 0x38, so every common code is `0xe0000000 | code`. Values are kept as
 * unsigned 32-bit numbers (`>>> 0`) and printed as `0x%08x`.
 */

/** An IOReturn value: an unsigned 32-bit number. */
export type IOReturn = number;

/** Builds `err_system(sys) | err_sub(sub) | code` as an unsigned 32-bit number. */
export function errCode(sys: number, sub: number, code: number): IOReturn {
  return (((sys & 0x3f) << 26) | ((sub & 0xfff) << 14) | (code & 0x3fff)) >>> 0;
}

/** `sys_iokit`: 0xe0000000. */
export const sys_iokit = errCode(0x38, 0, 0);
/** `sys_libkern`: 0xdc000000. */
export const sys_libkern = errCode(0x37, 0, 0);

/** Builds `iokit_common_err(code)`. */
export const iokitCommonErr = (code: number): IOReturn => errCode(0x38, 0, code);
/** Builds `iokit_family_err(sub, code)` for a family subsystem (see {@link IOKitSubsystem}). */
export const iokitFamilyErr = (sub: number, code: number): IOReturn => errCode(0x38, sub, code);

/** Family subsystem numbers (`sub_iokit_*`). */
export const IOKitSubsystem = {
  common: 0, usb: 1, firewire: 2, block_storage: 4, graphics: 5, networking: 6, bluetooth: 8,
  pmu: 9, acpi: 10, smbus: 11, ahci: 12, powermanagement: 13, hidsystem: 14, scsi: 16,
  usbaudio: 17, wirelesscharging: 18, nvme: 28, thunderbolt: 29, graphics_accel: 30,
  keystore: 31, smc: 32, apfs: 33, platform: 0x2a, vendor_specific: 0xffe, reserved: 0xfff,
} as const;

interface IOReturnInfo {
  readonly name: string;
  readonly value: IOReturn;
  /** The `stringFromReturn` text; `undefined` where Apple's table has none. */
  readonly message: string | undefined;
  readonly errno: string;
}

// [name, code, message, errno]; codes 0x2cb and 0x2dc are unused by Apple.
const COMMON: ReadonlyArray<readonly [string, number, string | undefined, string]> = [
  ["kIOReturnSuccess", 0x0, "success", "0"],
  ["kIOReturnError", 0x2bc, "general error", "EIO"],
  ["kIOReturnNoMemory", 0x2bd, "memory allocation error", "ENOMEM"],
  ["kIOReturnNoResources", 0x2be, "resource shortage", "ENOMEM"],
  ["kIOReturnIPCError", 0x2bf, "Mach IPC failure", "EIO"],
  ["kIOReturnNoDevice", 0x2c0, "no such device", "ENXIO"],
  ["kIOReturnNotPrivileged", 0x2c1, "privilege violation", "EACCES"],
  ["kIOReturnBadArgument", 0x2c2, "invalid argument", "EINVAL"],
  ["kIOReturnLockedRead", 0x2c3, "device is read locked", "EACCES"],
  ["kIOReturnLockedWrite", 0x2c4, "device is write locked", "EACCES"],
  ["kIOReturnExclusiveAccess", 0x2c5, "device is exclusive access", "EACCES"],
  ["kIOReturnBadMessageID", 0x2c6, "bad IPC message ID", "EINVAL"],
  ["kIOReturnUnsupported", 0x2c7, "unsupported function", "ENOTSUP"],
  ["kIOReturnVMError", 0x2c8, "virtual memory error", "EFAULT"],
  ["kIOReturnInternalError", 0x2c9, "internal driver error", "EIO"],
  ["kIOReturnIOError", 0x2ca, "I/O error", "EIO"],
  ["kIOReturnCannotLock", 0x2cc, "cannot acquire lock", "ENOLCK"],
  ["kIOReturnNotOpen", 0x2cd, "device is not open", "EACCES"],
  ["kIOReturnNotReadable", 0x2ce, "device is not readable", "EACCES"],
  ["kIOReturnNotWritable", 0x2cf, "device is not writeable", "EROFS"],
  ["kIOReturnNotAligned", 0x2d0, "alignment error", "EINVAL"],
  ["kIOReturnBadMedia", 0x2d1, "media error", "ENXIO"],
  ["kIOReturnStillOpen", 0x2d2, "device is still open", "EEXIST"],
  ["kIOReturnRLDError", 0x2d3, "rld failure", "EBADMACHO"],
  ["kIOReturnDMAError", 0x2d4, "DMA failure", "EIO"],
  ["kIOReturnBusy", 0x2d5, "device is busy", "EBUSY"],
  ["kIOReturnTimeout", 0x2d6, "I/O timeout", "ETIMEDOUT"],
  ["kIOReturnOffline", 0x2d7, "device is offline", "EBUSY"],
  ["kIOReturnNotReady", 0x2d8, "device is not ready", "EBUSY"],
  ["kIOReturnNotAttached", 0x2d9, "device/channel is not attached", "ENXIO"],
  ["kIOReturnNoChannels", 0x2da, "no DMA channels available", "EIO"],
  ["kIOReturnNoSpace", 0x2db, "no space for data", "ENOSPC"],
  ["kIOReturnPortExists", 0x2dd, "device port already exists", "EEXIST"],
  ["kIOReturnCannotWire", 0x2de, "cannot wire physical memory", "ENOMEM"],
  ["kIOReturnNoInterrupt", 0x2df, "no interrupt attached", "EIO"],
  ["kIOReturnNoFrames", 0x2e0, "no DMA frames enqueued", "EIO"],
  ["kIOReturnMessageTooLarge", 0x2e1, "message is too large", "EMSGSIZE"],
  ["kIOReturnNotPermitted", 0x2e2, "operation is not permitted", "EPERM"],
  ["kIOReturnNoPower", 0x2e3, "device is without power", "EPWROFF"],
  ["kIOReturnNoMedia", 0x2e4, "media is not present", "ENXIO"],
  ["kIOReturnUnformattedMedia", 0x2e5, "media is not formatted", "ENXIO"],
  ["kIOReturnUnsupportedMode", 0x2e6, "unsupported mode", "EIO"],
  ["kIOReturnUnderrun", 0x2e7, "data underrun", "EIO"],
  ["kIOReturnOverrun", 0x2e8, "data overrun", "EIO"],
  ["kIOReturnDeviceError", 0x2e9, "device error", "EDEVERR"],
  ["kIOReturnNoCompletion", 0x2ea, "no completion routine", "EINVAL"],
  ["kIOReturnAborted", 0x2eb, "operation was aborted", "EBUSY"],
  ["kIOReturnNoBandwidth", 0x2ec, "bus bandwidth would be exceeded", "EIO"],
  ["kIOReturnNotResponding", 0x2ed, "device is not responding", "EBUSY"],
  ["kIOReturnIsoTooOld", 0x2ee, undefined, "EIO"],
  ["kIOReturnIsoTooNew", 0x2ef, undefined, "EIO"],
  ["kIOReturnNotFound", 0x2f0, undefined, "EIO"],
  ["kIOReturnInvalid", 0x1, "unanticipated driver error", "EIO"],
];

// kOSKextReturn* codes: 0xdc008000 | code (sys_libkern, sub_libkern_kext = 2).
const KEXT: ReadonlyArray<readonly [string, number]> = [
  ["InternalError", 0x1], ["NoMemory", 0x2], ["NoResources", 0x3], ["NotPrivileged", 0x4],
  ["InvalidArgument", 0x5], ["NotFound", 0x6], ["BadData", 0x7], ["Serialization", 0x8],
  ["Unsupported", 0x9], ["Disabled", 0xa], ["NotAKext", 0xb], ["Validation", 0xc],
  ["Authentication", 0xd], ["Dependencies", 0xe], ["ArchNotFound", 0xf], ["Cache", 0x10],
  ["Deferred", 0x11], ["BootLevel", 0x12], ["NotLoadable", 0x13], ["LoadedVersionDiffers", 0x14],
  ["DependencyLoadError", 0x15], ["LinkError", 0x16], ["StartStopError", 0x17], ["InUse", 0x18],
  ["Timeout", 0x19], ["Stopping", 0x1a], ["SystemPolicy", 0x1b],
];

const TABLE: ReadonlyArray<IOReturnInfo> = [
  ...COMMON.map(([name, code, message, errno]) => ({
    name, value: code === 0 ? 0 : iokitCommonErr(code), message, errno,
  })),
  ...KEXT.map(([name, code]) => ({
    name: `kOSKextReturn${name}`, value: errCode(0x37, 2, code), message: undefined, errno: "EIO",
  })),
];

const BY_VALUE = new Map<IOReturn, IOReturnInfo>(TABLE.map((e) => [e.value, e]));
const BY_NAME = new Map<string, IOReturnInfo>(TABLE.map((e) => [e.name, e]));

export const kIOReturnSuccess: IOReturn = 0;
export const kIOReturnError = iokitCommonErr(0x2bc);
export const kIOReturnNoMemory = iokitCommonErr(0x2bd);
export const kIOReturnNoResources = iokitCommonErr(0x2be);
export const kIOReturnIPCError = iokitCommonErr(0x2bf);
export const kIOReturnNoDevice = iokitCommonErr(0x2c0);
export const kIOReturnNotPrivileged = iokitCommonErr(0x2c1);
export const kIOReturnBadArgument = iokitCommonErr(0x2c2);
export const kIOReturnLockedRead = iokitCommonErr(0x2c3);
export const kIOReturnLockedWrite = iokitCommonErr(0x2c4);
export const kIOReturnExclusiveAccess = iokitCommonErr(0x2c5);
export const kIOReturnBadMessageID = iokitCommonErr(0x2c6);
export const kIOReturnUnsupported = iokitCommonErr(0x2c7);
export const kIOReturnVMError = iokitCommonErr(0x2c8);
export const kIOReturnInternalError = iokitCommonErr(0x2c9);
export const kIOReturnIOError = iokitCommonErr(0x2ca);
export const kIOReturnCannotLock = iokitCommonErr(0x2cc);
export const kIOReturnNotOpen = iokitCommonErr(0x2cd);
export const kIOReturnNotReadable = iokitCommonErr(0x2ce);
export const kIOReturnNotWritable = iokitCommonErr(0x2cf);
export const kIOReturnNotAligned = iokitCommonErr(0x2d0);
export const kIOReturnBadMedia = iokitCommonErr(0x2d1);
export const kIOReturnStillOpen = iokitCommonErr(0x2d2);
export const kIOReturnRLDError = iokitCommonErr(0x2d3);
export const kIOReturnDMAError = iokitCommonErr(0x2d4);
export const kIOReturnBusy = iokitCommonErr(0x2d5);
export const kIOReturnTimeout = iokitCommonErr(0x2d6);
export const kIOReturnOffline = iokitCommonErr(0x2d7);
export const kIOReturnNotReady = iokitCommonErr(0x2d8);
export const kIOReturnNotAttached = iokitCommonErr(0x2d9);
export const kIOReturnNoChannels = iokitCommonErr(0x2da);
export const kIOReturnNoSpace = iokitCommonErr(0x2db);
export const kIOReturnPortExists = iokitCommonErr(0x2dd);
export const kIOReturnCannotWire = iokitCommonErr(0x2de);
export const kIOReturnNoInterrupt = iokitCommonErr(0x2df);
export const kIOReturnNoFrames = iokitCommonErr(0x2e0);
export const kIOReturnMessageTooLarge = iokitCommonErr(0x2e1);
export const kIOReturnNotPermitted = iokitCommonErr(0x2e2);
export const kIOReturnNoPower = iokitCommonErr(0x2e3);
export const kIOReturnNoMedia = iokitCommonErr(0x2e4);
export const kIOReturnUnformattedMedia = iokitCommonErr(0x2e5);
export const kIOReturnUnsupportedMode = iokitCommonErr(0x2e6);
export const kIOReturnUnderrun = iokitCommonErr(0x2e7);
export const kIOReturnOverrun = iokitCommonErr(0x2e8);
export const kIOReturnDeviceError = iokitCommonErr(0x2e9);
export const kIOReturnNoCompletion = iokitCommonErr(0x2ea);
export const kIOReturnAborted = iokitCommonErr(0x2eb);
export const kIOReturnNoBandwidth = iokitCommonErr(0x2ec);
export const kIOReturnNotResponding = iokitCommonErr(0x2ed);
export const kIOReturnIsoTooOld = iokitCommonErr(0x2ee);
export const kIOReturnIsoTooNew = iokitCommonErr(0x2ef);
export const kIOReturnNotFound = iokitCommonErr(0x2f0);
export const kIOReturnInvalid = iokitCommonErr(0x1);

/** `kOSKextReturn*` codes by short name, e.g. `kOSKextReturn.Dependencies`. */
export const kOSKextReturn: Readonly<Record<string, IOReturn>> = Object.fromEntries(
  KEXT.map(([name, code]) => [name, errCode(0x37, 2, code)]),
);

/** Formats a code as Apple prints it: `0x%08x`. */
export function formatIOReturn(value: IOReturn): string {
  return `0x${(value >>> 0).toString(16).padStart(8, "0")}`;
}

/** The constant name (`kIOReturnBadArgument`), or `undefined` for an unknown code. */
export function ioReturnName(value: IOReturn): string | undefined {
  return BY_VALUE.get(value >>> 0)?.name;
}

/** Looks a code up by constant name (`kIOReturnBadArgument`, or the short `BadArgument`). */
export function ioReturnFromName(name: string): IOReturn | undefined {
  return (BY_NAME.get(name) ?? BY_NAME.get(`kIOReturn${name}`) ?? BY_NAME.get(`kOSKextReturn${name}`))?.value;
}

/**
 * The text of `IOService::stringFromReturn`: the table's message, or `0x<hex> (UNDEFINED)` for codes
 * the kernel's table does not name (as `IOFindNameForValue` prints them).
 */
export function stringFromReturn(value: IOReturn): string {
  const info = BY_VALUE.get(value >>> 0);
  return info?.message ?? `0x${(value >>> 0).toString(16)} (UNDEFINED)`;
}

/** The errno name `errnoFromReturn` maps a code to (`EIO` for anything not listed). */
export function errnoFromReturn(value: IOReturn): string {
  return BY_VALUE.get(value >>> 0)?.errno ?? "EIO";
}

/** Splits a code into its system, subsystem and code fields. */
export function decodeIOReturn(value: IOReturn): { system: number; sub: number; code: number } {
  const v = value >>> 0;
  return { system: (v >>> 26) & 0x3f, sub: (v >>> 14) & 0xfff, code: v & 0x3fff };
}

/** Every known code, in table order (common codes, then kext codes). */
export function allIOReturns(): ReadonlyArray<IOReturnInfo> {
  return TABLE;
}
