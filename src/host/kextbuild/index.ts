export { buildKext, defaultKpiRoot, KPI_SPECIFIERS, type KextBuildOptions, type KextBuildResult } from "./buildKext.ts";
export { BuildSettingsError, expandBuildVariables, parseXcconfig } from "./expandBuildVariables.ts";
