/**
 * The registry `iokit ioreg` shows when no dump is imported: the embedded kernel's.
 *
 * This is the one seam between the tool and the kernel: an `IOKernel` booted once per process
 * (Root → IOPlatformExpertDevice → IOResources, IOUserResources), run until its scheduler is idle
 * so that registration and matching have settled. When the daemon serves a shared kernel, this
 * function is where the tool will ask it instead.
 */
import { IOKernel, type IORegistry } from "../../kernel/index.ts";

let kernel: IOKernel | undefined;

/** The registry to show. */
export async function kernelRegistry(): Promise<IORegistry> {
  kernel ??= new IOKernel();
  await kernel.scheduler.runUntilIdle();
  kernel.refreshDiagnostics();
  return kernel.registry;
}
