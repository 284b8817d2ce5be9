/**
 * host (L4): the Node side of environment-neutral interfaces — file access for kext bundles, atomic
 * file writes for caches.
 */
export { FsBundleSource } from "./FsBundleSource.ts";
export { writeFileAtomic } from "./writeFileAtomic.ts";
export { loadKextSet, SYSTEM_EXTENSIONS_FOLDERS, type KextSetSources, type LoadedKextSet } from "./loadKextSet.ts";
export { checkToolPath } from "./checkToolPath.ts";
export { importKextModule } from "./importKextModule.ts";
export { buildKext, defaultKpiRoot, BuildSettingsError, expandBuildVariables, parseXcconfig, type KextBuildOptions, type KextBuildResult } from "./kextbuild/index.ts";
export { bootSystem, defaultExtensionsFolder, countDrivers, KERNEL_KPI, type SystemBootOptions, type BootStats, type BootedSystem } from "./bootSystem.ts";
export { bundledKextProjects, buildBundledExtensions } from "./bundledExtensions.ts";
export { settle } from "./bootSystem.ts";
export { settleIdle } from "./bootSystem.ts";
export { EmbeddedTransport } from "./EmbeddedTransport.ts";
export { SocketTransport, defaultProcessName, type ConnectOptions } from "./SocketTransport.ts";
export { IOKitDaemon, type DaemonOptions } from "./IOKitDaemon.ts";
export { bootKernel, bundledKextsFolder, type BootOptions, type BootedKernel } from "./bootKernel.ts";
export { addKextRoutines, loadKexts, loadedToWire } from "./kextRoutines.ts";
export { addDeviceRoutines, attachUSBDevice, detachUSBDevice, listUSBPorts } from "./deviceRoutines.ts";
export { defaultSocketPath, connectIOKit, embeddedKernel } from "./connectIOKit.ts";
export { fuzzUserClients, type FuzzReport } from "./fuzzUserClients.ts";
export { fuzzRoutines } from "./fuzzRoutines.ts";
export { bootPowerMachine, powerManagedServices, type BootedPowerMachine } from "./bootPowerMachine.ts";
export { MachineFileError, readMachineFile } from "./readMachineFile.ts";
export { addPowerRoutines, toWire } from "./powerRoutines.ts";
export { readKextArchSymbols, loadKernel } from "./readKextSymbolFiles.ts";
