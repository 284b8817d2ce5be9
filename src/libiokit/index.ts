/**
 * libiokit (L4): IOKitLib for TypeScript — a user-space client of a kernel over any Transport,
 * idiomatic (`IOKitLib`, `IOServiceRef`, `IOConnectRef`) and, in `compat/`, Apple's C names.
 */
export * from "./matching.ts";
export * from "./IOKitLib.ts";
export * as IOKitCompat from "./compat/IOKitLib.ts";
export * from "./DeviceFile.ts";
export {
  ErrnoError, errnoName, strerror, O_RDONLY, O_WRONLY, O_RDWR, O_NONBLOCK, _IO, _IOR, _IOW, _IOWR, FIONREAD, FIONBIO,
} from "../ipc/index.ts";
export * from "./IOPMLib.ts";
