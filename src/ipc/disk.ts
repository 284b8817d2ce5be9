/**
 * Disk ioctls (`<sys/disk.h>`) and `lseek` whences (`<unistd.h>`): the parts of the BSD ABI a
 * program uses on `/dev/diskN` and `/dev/rdiskN`. Encodings are Apple's:
 *
 * | name | definition | value |
 * |---|---|---|
 * | `DKIOCEJECT` | `_IO('d', 21)` | 0x20006415 |
 * | `DKIOCSYNCHRONIZECACHE` | `_IO('d', 22)` | 0x20006416 |
 * | `DKIOCGETBLOCKSIZE` | `_IOR('d', 24, uint32_t)` | 0x40046418 |
 * | `DKIOCGETBLOCKCOUNT` | `_IOR('d', 25, uint64_t)` | 0x40086419 |
 * | `DKIOCISWRITABLE` | `_IOR('d', 29, uint32_t)` | 0x4004641d |
 * | `DKIOCGETPHYSICALBLOCKSIZE` | `_IOR('d', 77, uint32_t)` | 0x4004644d |
 *
 * Parameters are little-endian integers, as on the Macs this models.
 */
import { _IO, _IOR } from "./errno.ts";

export const DKIOCEJECT = _IO("d", 21);
export const DKIOCSYNCHRONIZECACHE = _IO("d", 22);
export const DKIOCGETBLOCKSIZE = _IOR("d", 24, 4);
export const DKIOCGETBLOCKCOUNT = _IOR("d", 25, 8);
export const DKIOCISWRITABLE = _IOR("d", 29, 4);
export const DKIOCGETPHYSICALBLOCKSIZE = _IOR("d", 77, 4);

/** `lseek` whences. */
export const SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2;
