/**
 * The credentials of a user task as the kernel sees them: what `IOServiceOpen`'s entitlement gate,
 * `clientHasPrivilege` and privileged kernel routines check.
 *
 * Divergence from XNU: there is no audit token from the kernel. The host decides credentials when a
 * connection arrives: Node cannot read a Unix socket peer's uid, so the daemon serves two sockets and
 * the one a client reached decides — the owner-only privileged socket gives uid 0 and `privileged`,
 * the ordinary socket the daemon owner's non-root identity. See docs/ipc.md.
 */
import { IOReturnError, kIOReturnBadArgument, kIOReturnNotPrivileged, kIOReturnSuccess, kIOReturnUnsupported, type IOReturn } from "../../base/index.ts";
import type { OSValue } from "../../libkern/index.ts";
import type { RoutineArgs } from "./RoutineArgs.ts";

/** A user task (a client connection). */
export interface UserTask {
  readonly pid: number;
  readonly procName: string;
  readonly uid: number;
  /** The task may load kexts and open privileged user clients. */
  readonly privileged: boolean;
  /** Logged in on the console (`local`, `console`, `secureprocess`). */
  readonly console: boolean;
  /** Audit session ID (`consolesession`). */
  readonly auditSession: number;
  /** GPU-denied background task (`foreground` fails, `kIOUCForegroundOnly` methods refused). */
  readonly gpuDenied: boolean;
  /** Entitlements held, by name. */
  readonly entitlements: ReadonlyMap<string, OSValue>;
}

/** A task with defaults for the fields not given. */
export function userTask(fields: Partial<UserTask> = {}): UserTask {
  return {
    pid: fields.pid ?? 0, procName: fields.procName ?? "unknown", uid: fields.uid ?? 501, privileged: fields.privileged ?? false,
    console: fields.console ?? true, auditSession: fields.auditSession ?? 100000, gpuDenied: fields.gpuDenied ?? false,
    entitlements: fields.entitlements ?? new Map(),
  };
}

/** The privilege names of `clientHasPrivilege`. */
export const kIOClientPrivilegeAdministrator = "root";
export const kIOClientPrivilegeLocalUser = "local";
export const kIOClientPrivilegeConsoleUser = "console";
export const kIOClientPrivilegeSecureConsoleProcess = "secureprocess";
export const kIOClientPrivilegeConsoleSession = "consolesession";
export const kIOClientPrivilegeForeground = "foreground";

/** The console's audit session (the one a logged-in user's processes share). */
export const kConsoleAuditSession = 100000;

/**
 * `IOUserClient::clientHasPrivilege(task, name)`: kIOReturnSuccess, kIOReturnNotPrivileged when the
 * task lacks it, kIOReturnUnsupported for an unknown name.
 */
export function clientHasPrivilege(task: UserTask, name: string): IOReturn {
  let ok: boolean;
  switch (name) {
    case kIOClientPrivilegeAdministrator: ok = task.uid === 0; break;
    case kIOClientPrivilegeLocalUser:
    case kIOClientPrivilegeConsoleUser:
    case kIOClientPrivilegeSecureConsoleProcess: ok = task.console; break;
    case kIOClientPrivilegeConsoleSession: ok = task.auditSession === kConsoleAuditSession; break;
    case kIOClientPrivilegeForeground: ok = !task.gpuDenied; break;
    default: return kIOReturnUnsupported;
  }
  return ok ? kIOReturnSuccess : kIOReturnNotPrivileged;
}

/** `IOTaskHasEntitlement`: the entitlement is present and true. */
export function taskHasEntitlement(task: UserTask, entitlement: string): boolean {
  return task.entitlements.get(entitlement) === true;
}

/** `MAXCOMLEN`: bytes of a process's command name (`p_comm`) the kernel keeps. */
export const kMAXCOMLEN = 16;

/** A process name as the kernel keeps it (`p_comm`): at most {@link kMAXCOMLEN} UTF-8 bytes, never half a character. */
export function processCommandName(name: string): string {
  let bytes = 0;
  let out = "";
  for (const ch of name) {
    const cp = ch.codePointAt(0) as number;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes > kMAXCOMLEN) break;
    out += ch;
  }
  return out;
}

/**
 * The task a connection's hello describes (`io_task_hello [pid, name, entitlements]`), on top of
 * the credentials the host gave the connection (`base`: uid and privilege come from the socket).
 *
 * Divergence from XNU: the kernel learns a remote task's pid and name from the task itself (XNU
 * reads them from the caller's proc). They are informational — logs and `IOUserClientCreator` — and
 * decide nothing. Entitlements (XNU: the code signature) are accepted only from a privileged
 * connection, whose socket only the daemon's owner can reach; an unprivileged task presenting any is
 * refused with kIOReturnNotPrivileged. See docs/ipc.md.
 */
export function taskFromHello(base: UserTask, a: RoutineArgs): UserTask {
  const pid = a.u32(0);
  if (pid === 0 || pid > 0x7fffffff) a.bad(0, "a process ID (1 to 2^31-1)");
  const name = a.str(1);
  if (name.length === 0 || name.length > 1024) a.bad(1, "a process name of 1 to 1024 characters");
  const entitlements = a.optDict(2);
  if (entitlements !== undefined && entitlements.size > 0 && !base.privileged) {
    throw new IOReturnError(kIOReturnNotPrivileged, "entitlements are accepted only on a privileged connection");
  }
  return { ...base, pid, procName: processCommandName(name), entitlements: entitlements ?? base.entitlements };
}
