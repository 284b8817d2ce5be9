/**
 * How tools reach a kernel: the daemon named by `IOKIT_SOCKET` (or an explicit path) when one is
 * running there, else a kernel embedded in this process, booted once and shared by the process's
 * tools.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { IOKitLib } from "../libiokit/index.ts";
import { RoutineArgs, taskFromHello, userTask } from "../kernel/index.ts";
import { Routine, type WireValue } from "../ipc/index.ts";
import type { OSValue } from "../libkern/index.ts";
import { EmbeddedTransport } from "./EmbeddedTransport.ts";
import { SocketTransport, defaultProcessName } from "./SocketTransport.ts";
import { bootKernel, type BootedKernel } from "./bootKernel.ts";

/** The per-user default socket: `$XDG_RUNTIME_DIR/iokit.sock`, else `/tmp/iokit-$UID.sock`. */
export function defaultSocketPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.IOKIT_SOCKET) return env.IOKIT_SOCKET;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, "iokit.sock");
  const uid = typeof process.getuid === "function" ? process.getuid() : 0;
  return join(tmpdir(), `iokit-${uid}.sock`);
}

let embedded: Promise<BootedKernel> | undefined;

/**
 * The process's embedded kernel (booted with the bundled kexts on first use), in virtual time:
 * its calls drive it, so no timer keeps a finished tool's process alive.
 */
export function embeddedKernel(): Promise<BootedKernel> {
  embedded ??= bootKernel({ realTime: false }).then(async (b) => {
    // Kext executables load with real I/O: pump until the service plane is quiet (bounded).
    const t0 = Date.now();
    do {
      await b.kernel.runUntilIdle();
      if (b.kernel.platform.getBusyState() === 0) break;
      await new Promise((r) => setTimeout(r, 1));
    } while (Date.now() - t0 < 30_000);
    return b;
  });
  return embedded;
}

/**
 * A connection: the daemon at IOKIT_SOCKET if set (privileged: its `.priv` socket), else embedded.
 * The task is this process (pid, `procName` or the script's name); `entitlements` are presented
 * as a client presents them to the daemon, so only a privileged connection may hold any.
 */
export async function connectIOKit(options: {
  privileged?: boolean; env?: Readonly<Record<string, string | undefined>>; procName?: string; entitlements?: ReadonlyMap<string, OSValue>;
} = {}): Promise<{ lib: IOKitLib; remote: boolean }> {
  const env = options.env ?? process.env;
  const sock = env.IOKIT_SOCKET;
  const procName = options.procName ?? defaultProcessName();
  if (sock) {
    const path = options.privileged ? `${sock}.priv` : sock;
    if (!existsSync(path)) throw new Error(`${path}: no iokit daemon socket (start one with 'iokit boot')`);
    return { lib: new IOKitLib(await SocketTransport.connect(path, { procName, entitlements: options.entitlements ?? null })), remote: true };
  }
  const b = await embeddedKernel();
  const base = userTask({ uid: options.privileged ? 0 : 501, privileged: options.privileged ?? false });
  const task = taskFromHello(base, new RoutineArgs(Routine.taskHello, [process.pid, procName, (options.entitlements ?? null) as WireValue]));
  return { lib: new IOKitLib(new EmbeddedTransport(b.server, task)), remote: false };
}
