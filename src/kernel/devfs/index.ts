/**
 * devfs (kernel): the character-device switch, `/dev` nodes and the BSD calls on them, with the
 * BSD constants drivers need (errno values, open flags, ioctl encoding) re-exported from the ABI.
 */
export * from "./cdevsw.ts";
export * from "./DevFS.ts";
export * from "./bdevsw.ts";
export {
  EPERM, ENOENT, EINTR, EIO, ENXIO, E2BIG, EBADF, ENOMEM, EACCES, EFAULT, EBUSY, EEXIST, ENODEV, EINVAL, ENOTTY, ENOSPC, EROFS,
  EAGAIN, EWOULDBLOCK, ENOTSUP, ETIMEDOUT, FREAD, FWRITE, O_RDONLY, O_WRONLY, O_RDWR, O_NONBLOCK, IOC_IN, IOC_OUT, IOC_VOID,
  IOC_INOUT, IOCPARM_LEN, _IO, _IOR, _IOW, _IOWR, FIONREAD, FIONBIO, S_IFCHR, S_IFBLK, strerror, DKIOCEJECT, DKIOCSYNCHRONIZECACHE, DKIOCGETBLOCKSIZE,
  DKIOCGETBLOCKCOUNT, DKIOCISWRITABLE, DKIOCGETPHYSICALBLOCKSIZE, SEEK_SET, SEEK_CUR, SEEK_END,
} from "../../ipc/index.ts";
