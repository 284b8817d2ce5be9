/**
 * Kernel routine names (the MIG routines of `device.defs`, shortened) and the ABI constants both
 * sides share: scalar and inband limits, notification message IDs and types.
 */

/** Kernel routines a client may call. Names follow `is_io_*` in XNU's IOUserClient.cpp. */
export const Routine = {
  getMatchingServices: "io_service_get_matching_services",
  objectRelease: "io_object_release",
  objectGetClass: "io_object_get_class",
  objectConformsTo: "io_object_conforms_to",
  entryGetProperties: "io_registry_entry_get_properties",
  entryGetProperty: "io_registry_entry_get_property",
  entrySearchProperty: "io_registry_entry_get_property_recursively",
  entryGetName: "io_registry_entry_get_name_in_plane",
  entryGetPath: "io_registry_entry_get_path",
  entryGetID: "io_registry_entry_get_registry_entry_id",
  entryGetChildren: "io_registry_entry_get_child_iterator",
  entryGetParents: "io_registry_entry_get_parent_iterator",
  entryFromPath: "io_registry_entry_from_path",
  getRootEntry: "io_registry_get_root_entry",
  registrySnapshot: "io_registry_snapshot",
  serviceGetBusyState: "io_service_get_busy_state",
  serviceWaitQuiet: "io_service_wait_quiet",
  serviceOpen: "io_service_open_extended",
  serviceClose: "io_service_close",
  connectMethod: "io_connect_method",
  connectMapMemory: "io_connect_map_memory_into_task",
  connectUnmapMemory: "io_connect_unmap_memory_from_task",
  memoryRead: "io_memory_read",
  memoryWrite: "io_memory_write",
  addMatchingNotification: "io_service_add_notification",
  addInterestNotification: "io_service_add_interest_notification",
  portCreate: "io_notification_port_create",
  portDestroy: "io_notification_port_destroy",
  kernelLog: "io_kernel_log",
  handleCount: "io_task_handle_count",
  kextLoad: "kext_request_load",
  kextUnload: "kext_request_unload",
  kextStat: "kext_request_loaded",
  // Not XNU's: plugging virtual hardware (iokit-ts's machine), served by hosts that built one.
  deviceAttach: "iokit_device_attach",
  deviceDetach: "iokit_device_detach",
  deviceList: "iokit_device_list",
  /** The task introduces itself (pid, name, entitlements): the first request on a connection. */
  taskHello: "io_task_hello",
  // BSD calls on device nodes (devfs): each answers [errno, result].
  bsdOpen: "bsd_open",
  bsdClose: "bsd_close",
  bsdRead: "bsd_read",
  bsdWrite: "bsd_write",
  bsdIoctl: "bsd_ioctl",
  bsdLseek: "bsd_lseek",
  bsdPread: "bsd_pread",
  bsdPwrite: "bsd_pwrite",
  bsdDevfsList: "bsd_devfs_list",
  pmCopyState: "io_pm_copy_state",
  pmSleepSystem: "io_pm_sleep_system",
  pmSchedulePowerEvent: "io_pm_schedule_power_event",
  pmCancelPowerEvent: "io_pm_cancel_power_event",
  pmSetSettings: "io_pm_set_settings",
  pmSetRepeating: "io_pm_set_repeating",
} as const;

/** `kIOUCVariableStructureSize`: a dispatch check that is skipped. */
export const kIOUCVariableStructureSize = 0xffffffff;
/** `kIOConnectMethodVarOutputSize`: the kernel allocates the structure output. */
export const kIOConnectMethodVarOutputSize = -3;
/** At most 16 scalars each way. */
export const kIOMaxScalars = 16;
/** `io_struct_inband_t`: structures up to this size travel inband. */
export const kIOInbandStructMax = 4096;
/** `kMaxAsyncArgs`. */
export const kMaxAsyncArgs = 16;
/** `kOSAsyncRef64Count`: slots of an async reference. */
export const kOSAsyncRef64Count = 8;
/** `kOSNotificationMessageID`: the Mach message ID of notifications. */
export const kOSNotificationMessageID = 53;
export const kIOServicePublishNotificationType = 100;
export const kIOServiceMatchedNotificationType = 101;
export const kIOServiceTerminatedNotificationType = 102;
export const kIOAsyncCompletionNotificationType = 150;
export const kIOServiceMessageNotificationType = 160;
