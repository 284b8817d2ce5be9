/**
 * The driver catalogue and the matching engine (spec §1.1–1.7): personalities stored by
 * `IOProviderClass`, passive matching with Apple's rules for every key, family matching (PCI, USB,
 * HID, IOResources, storage), the probe/start pass with match categories, and the explanation and
 * replay built on its decision records.
 *
 * Entry points for the runtime: {@link IOCatalogue} (`addDrivers`, `removeDrivers`,
 * `findDrivers`, with an {@link IOCatalogueDelegate} for rematching) and {@link matchService}
 * (one pass for one nub, with probe/start hooks), both on the {@link MatchNub} interface.
 */
export type { MatchClient, MatchNub } from "./MatchNub.ts";
export { ClassHierarchy, IOService } from "./ClassHierarchy.ts";
export * from "./keys.ts";
export type { MatchFailure, FamilyResult } from "./MatchFailure.ts";
export { FamilyRegistry, type BuildArch, type FamilyContext, type FamilyMatcher } from "./FamilyMatcher.ts";
export { OrderedByScore } from "./OrderedByScore.ts";
export { compareName, compareNames, dtCompareNubName, propertyStrings } from "./compareNames.ts";
export { matchInternal, matchPassive, MAX_NESTING, type PassiveOptions, type PassiveResult } from "./matchPassive.ts";
export { parsePCIMatch, pciItemsMatch, pciRegister, pciFamily, type PCIMatchItem, type PCIMatchParse } from "./pciMatch.ts";
export { usbDeviceFamily, usbInterfaceFamily, usbClampedScore } from "./usbMatch.ts";
export { hidFamily } from "./hidMatch.ts";
export { resourcesFamily, mediaFamily, scsiFamily, fireWireFamily, thunderboltFamily, comparePropertyFamily } from "./propertyFamilies.ts";
export {
  validatePersonality, lintPersonality, formatDiagnostic, type PersonalityDiagnostic, type DiagnosticSeverity,
} from "./validatePersonality.ts";
export {
  IOCatalogue, defaultFamilies, type CataloguePersonality, type IOCatalogueDelegate, type IOCatalogueOptions,
  type PersonalityInput, type AddDriversResult,
} from "./IOCatalogue.ts";
export { matchService, type CandidateDecision, type CandidateOutcome, type MatchHooks, type MatchRun } from "./matchService.ts";
export { StaticNub, type StaticNubInit } from "./StaticNub.ts";
export {
  replayDump, archOfDump, entryKeys, isDriverEntry, personalityFromDriver,
  type Attachment, type ReplayEntry, type ReplayOptions, type ReplayReport, type ReplayResult,
} from "./replayDump.ts";
export { replayEntriesFromSnapshot } from "./replayEntries.ts";
export { APPLE_CLASS_LINKS } from "./appleClasses.ts";
export { appleClassHierarchy, classNameOverrides, observedFactCounts, type AppleHierarchyOptions } from "./appleClassHierarchy.ts";
export {
  explainText, explainJSON, explanationNotes, describeValue, type ExplainOptions, type ExplanationJSON, type CandidateJSON,
} from "./explainMatch.ts";
