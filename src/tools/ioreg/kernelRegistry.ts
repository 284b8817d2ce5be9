/**
 * The registry `iokit ioreg` shows when no dump is imported, read through IOKitLib: the daemon's
 * when `IOKIT_SOCKET` names one, else the kernel embedded in this process (booted once, with the
 * project's bundled kexts, run until matching settles).
 */
import { connectIOKit } from "../../host/index.ts";
import type { IORegistrySnapshot } from "../../formats/index.ts";

/** The live registry as a snapshot. */
export async function kernelSnapshot(): Promise<IORegistrySnapshot> {
  const { lib } = await connectIOKit();
  try {
    return await lib.registrySnapshot();
  } finally {
    lib.close();
  }
}
