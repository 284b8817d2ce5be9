/**
 * The registry `iokit ioreg` shows when no dump is imported: the embedded kernel's.
 *
 * This is the one seam between the tool and the kernel. With the bundled extensions built (`npm run
 * build`), it boots the default virtual Mac (`bootSystem`: VirtualMac1,1 with the family kexts and
 * samples) to quiescence once per process; without them, a bare `IOKernel` (Root →
 * IOPlatformExpertDevice → IOResources, IOUserResources). When the daemon serves a shared kernel,
 * this function is where the tool will ask it instead.
 */
import { existsSync } from "node:fs";
import { bootSystem, defaultExtensionsFolder } from "../../host/index.ts";
import { IOKernel, type IORegistry } from "../../kernel/index.ts";

let kernel: IOKernel | undefined;

/** The registry to show. */
export async function kernelRegistry(): Promise<IORegistry> {
  if (kernel === undefined) {
    kernel = existsSync(defaultExtensionsFolder()) ? (await bootSystem()).kernel : new IOKernel();
  }
  await kernel.scheduler.runUntilIdle();
  kernel.refreshDiagnostics();
  return kernel.registry;
}
