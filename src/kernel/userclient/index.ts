/**
 * User clients and the kernel's side of user space: IOUserClient/IOUserClient2022 with Apple's
 * dispatch rules, task credentials and privileges, shared memory, user notifications, and the
 * server that answers a task's kernel routines.
 */
export * from "./UserTask.ts";
export * from "./IOMemoryDescriptor.ts";
export * from "./IOUserClient.ts";
export * from "./newUserClient.ts";
export * from "./userNotifications.ts";
export { IOKitSession, type SessionObject, type SessionOptions, type SessionSink } from "./IOKitSession.ts";
export { KERNEL_ROUTINES, kMaxStructureOutput, kIOAppPowerStateInterest, kIOPriorityPowerStateInterest, type KernelRoutine, type RoutineEntry } from "./kernelRoutines.ts";
export { RoutineArgs } from "./RoutineArgs.ts";
export { IOKitServer } from "./IOKitServer.ts";
export { kIOUCVariableStructureSize, kIOConnectMethodVarOutputSize } from "../../ipc/index.ts";
