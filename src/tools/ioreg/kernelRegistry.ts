/**
 * The registry `iokit ioreg` shows when no dump is imported: the embedded kernel's.
 *
 * For now this is a minimal registry built here (Root, the platform expert device, IOResources and
 * IOUserResources); boot will replace this function with the running kernel's registry. It is the
 * one seam between the tool and the kernel.
 */
import { IORegistry, kIOServiceMatchedState, kIOServiceRegisteredState } from "../../kernel/index.ts";

/** The registry to show. */
export function kernelRegistry(): IORegistry {
  const reg = new IORegistry({ clock: () => 0n });
  reg.root.setProperty("IOKitBuildVersion", "iokit-ts embedded kernel");
  const pe = reg.createEntry("IOPlatformExpertDevice", { name: "iokit-ts", isService: true, superClass: "IOService" });
  pe.attachToParent(reg.root, "IOService");
  pe.setProperty("model", new TextEncoder().encode("iokit-ts\0"));
  pe.setProperty("IOPlatformUUID", "00000000-0000-0000-0000-000000000000");
  for (const name of ["IOResources", "IOUserResources"]) {
    const r = reg.createEntry(name, { isService: true, superClass: "IOService" });
    r.attachToParent(pe, "IOService");
    r.setProperty("IOKit", "IOService");
  }
  for (const e of reg.entries()) if (e.isService) e.setStateBits(kIOServiceRegisteredState | kIOServiceMatchedState);
  return reg;
}
