/**
 * What SampleCharDevice and its user-space clients agree on (the "UserKernelShared.h" of Apple's
 * samples): the node's name, the ioctl commands and the user-client selectors. Integers in ioctl
 * parameters and structures are little-endian.
 */
import { _IO, _IOR, _IOW } from "../../src/ipc/index.ts";

/** The node the driver makes: `/dev/samplechar`. */
export const kSampleCharDeviceName = "samplechar";

/** `_IOR('S', 1, struct sample_stats)`: four uint64 — bytes read, bytes written, interrupts, opens. */
export const SAMPLECHAR_IOC_GETSTATS = _IOR("S", 1, 32);
/** `_IOW('S', 2, uint32_t)`: 0 loopback, 1 upper-case what passes through the device. */
export const SAMPLECHAR_IOC_SETMODE = _IOW("S", 2, 4);
/** `_IO('S', 3)`: discard what is waiting to be read. */
export const SAMPLECHAR_IOC_FLUSH = _IO("S", 3);

export const kSampleCharModeLoopback = 0;
export const kSampleCharModeUpperCase = 1;

/** User-client selectors. */
export const kSampleCharGetStats = 0; // → 4 scalars: bytes read, bytes written, interrupts, opens
export const kSampleCharSetMode = 1; // 1 scalar in: the mode
export const kSampleCharInject = 2; // structure in (1…4096 bytes): data arriving at the device → 1 scalar out, bytes accepted
export const kSampleCharPeek = 3; // structure out (variable): what a read would return now, without consuming it
export const kSampleCharMethodCount = 4;
