/**
 * The diagnostic messages, verbatim where Apple has one (`IOKitUser:kext.subproj/OSKext.c`), and our
 * own (marked) for the qualification checks Apple's tools do not make: unexpanded build variables
 * and the WWDC 2010 "qualifying a driver" list.
 */

// Validation.
export const kOSKextDiagnosticFileNotFoundKey = "File not found";
export const kOSKextDiagnosticFileAccessKey = "File access failure; can't open, or I/O error";
export const kOSKextDiagnosticNotABundleKey = "Failed to open CFBundle (unknown error).";
export const kOSKextDiagnosticBadPropertyListXMLKey = "Can't parse info dictionary XML";
export const kOSKextDiagnosticMissingPropertyKey = "Info dictionary missing required property/value";
export const kOSKextDiagnosticBadSystemPropertyKey = "A system kext has a property set that it shouldn't";
export const kOSKextDiagnosticPropertyIsIllegalTypeKey = "Info dictionary property value is of illegal type";
export const kOSKextDiagnosticPropertyIsIllegalValueKey = "Info dictionary property value is illegal";
export const kOSKextDiagnosticIdentifierOrVersionTooLongKey =
  "CFBundleIdentifier and CFBundleVersion must be < 64 characters.";
export const kOSKextDiagnosticExecutableMissingKey =
  "Kext has a CFBundleExecutable property but the executable can't be found";
export const kOSKextDiagnosticCompatibleVersionLaterThanVersionKey =
  "Compatible version must be lower than current version.";
export const kOSKextDiagnosticExecutableBadKey =
  "Executable file doesn't contain kernel extension code (no kmod_info symbol or bad Mach-O layout).";
export const kOSKextDiagnosticKextIneligibleForDriverKit =
  "Kexts may not use the DriverKit value for OSBundleRequired.";

/** `Driver Extensions may not use the %@ key; please remove.` */
export const kOSKextDiagnosticInfoKeyIneligibleForDriverKit = (key: string): string =>
  `Driver Extensions may not use the ${key} key; please remove.`;
export const kOSKextDiagnosticMissingDesignatedKernelClass =
  "The 'CFBundleIdentifierKernel' key is required in your personality to specify the base kext to load when your kext is instantiated.";
export const kOSKextDiagnosticThirdPartiesIneligibleForDriverKitOSBundleRequired =
  "Third-party Driver Extensions are ineligible to run in Safe Boot, or match on devices during early boot. Please remove the OSBundleRequired key from your Info.plist.";
export const kOSKextDiagnosticOSBundleRequiredValueIneligibleForDriverKit =
  "Driver Extension lacks appropriate value for OSBundleRequired, and will not be launched without kextd present. Use one of 'DriverKit' or 'Safe Boot.'";

// Authentication.
export const kOSKextDiagnosticOwnerPermissionKey =
  "File owner/permissions are incorrect (must be root:wheel, nonwritable by group/other)";

// Warnings.
export const kOSKextDiagnosticTypeWarningKey = "Info dictionary property value is of incorrect type";
export const kOSKextDiagnosticKernelComponentNotInterfaceKey =
  "Kext is a kernel component but OSBundleIsInterface is set to false; overriding";
export const kOSKextDiagnosticExecutableArchNotFoundKey = "Executable does not contain code for architecture";
export const kOSKextDiagnosticSymlinkKey =
  "The booter does not recognize symbolic links; confirm these files/directories aren't needed for startup";
export const kOSKextDiagnosticDeprecatedPropertyKey = "Deprecated property (ignored)";
export const kOSKextDiagnosticPersonalityHasNoBundleIdentifierKey =
  "Personality has no CFBundleIdentifier; the kext's identifier will be inserted when sending to the IOCatalogue";
export const kOSKextDiagnosticPersonalityNamesUnknownKextKey =
  "Personality CFBundleIdentifier names a kext that can't be found";
export const kOSKextDiagnosticPersonalityNamesNonloadableKextKey =
  "Personality CFBundleIdentifier names a kext that is not loadable (run kextutil(8) on it with -nt for more information)";
export const kOSKextDiagnosticPersonalityNamesKextWithNoExecutableKey =
  "Personality CFBundleIdentifier names a kext that doesn't declare an executable";
export const kOSKextDiagnosticPersonalityHasDifferentBundleIdentifierKey =
  "Personality CFBundleIdentifier differs from containing kext's (not necessarily a mistake, but rarely done)";
export const kOSKextDiagnosticNonuniqueIOResourcesMatchKey =
  "Personality matches on IOResources but IOMatchCategory is missing or not equal to its IOClass; driver may be blocked from matching or may block others";
export const kOSKextDiagnosticCodelessWithLibrariesKey =
  "Kext has no executable or compatible version, so it should not declare any OSBundleLibraries.";
export const kOSKextDiagnosticDeclaresNoKPIsWarningKey =
  "Kext declares no com.apple.kpi.* libraries; if it references any kernel symbols, it may fail to link.";
export const kOSKextDiagnosticDeclaresBothKernelAndKPIDependenciesKey =
  "Kexts should declare dependencies on either com.apple.kernel* or com.apple.kpi.* libraries, not both.";

// Dependency resolution.
export const kOSKextDependencyUnavailable = "No kexts found for these libraries";
export const kOSKextDependencyNoCompatibleVersion = "Only incompatible kexts found for these libraries";
export const kOSKextDependencyCompatibleVersionUndeclared =
  "Kexts found for these libraries lack valid OSBundleCompatibleVersion";
export const kOSKextDependencyIndirectDependencyUnresolvable = "Indirect dependencies can't be resolved";
export const kOSKextDependencyMultipleVersionsDetected =
  "Multiple kexts for these libraries occur in the dependency graph";
export const kOSKextDependencyCircularReference = "Some dependencies are causing circular references";
export const kOSKextDependencyInvalid = "Dependencies have validation problems";
export const kOSKextDependencyInauthentic = "Dependencies have incorrect owner/permissions";
export const kOSKextDiagnosticDeclaresNonKPIDependenciesKey =
  "64-bit kexts must use com.apple.kpi.* libraries, not com.apple.kernel* libraries.";
export const kOSKextDiagnosticNonAppleKextDeclaresPrivateKPIDependencyKey =
  "Only Apple kexts may link against com.apple.kpi.private.";
export const kOSKextDiagnosticRawKernelDependency =
  "Kexts may not link against com.apple.kernel; use either com.apple.kpi.* libraries (recommended), or com.apple.kernel.* (for compatiblity with older releases).";
export const kOSKextDiagnosticsInterfaceDependencyCount = "Interface kext must have exactly one dependency.";

// Boot level.
export const kOSKextDiagnosticIneligibleInSafeBoot = "Kext isn't loadable during safe boot.";
export const kOSKextDependencyIneligibleInSafeBoot = "Dependencies aren't loadable during safe boot";

// Ours (iokit-ts): checks Apple's tools do not make. See docs/divergences.md.
export const kIOKitTSBuildVariableKey =
  "Info dictionary property value holds an unexpanded build variable (the Info.plist was not processed by the build)";
export const kIOKitTSDebugPersonalityKey =
  "Personality sets IOKitDebug to a non-zero value; remove it or set it to 0 before shipping";
export const kIOKitTSVersionNotAdvancedKey =
  "CFBundleVersion is not later than an installed copy of this kext; advance it so the newest copy wins";
export const kIOKitTSNotReverseDNSKey =
  "CFBundleIdentifier is not a reverse-DNS identifier (com.company.driver.Name); kexts with colliding identifiers are treated as the same kext";
export const kIOKitTSPlaceholderIdentifierKey =
  "CFBundleIdentifier still holds a template's placeholder company name";
export const kIOKitTSUnusedCompatibleVersionKey =
  "OSBundleCompatibleVersion marks this kext as a library, but no known kext links against it; remove it unless the kext is a library";
export const kIOKitTSUnneededBundleRequiredKey =
  "OSBundleRequired makes the booter load this kext early; it is needed only by drivers required to mount the root file system";
export const kIOKitTSSymbolAuditKey =
  "Executable symbols break the qualification rules (globals must carry the bundle identifier's prefix; release builds carry no debug symbols)";
export const kIOKitTSStrayFileKey =
  "File does not belong in a kext bundle (header, Finder metadata, debugger session or build leftover)";
