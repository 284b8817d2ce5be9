/**
 * Test support: runs Node on `args` in its own process (the project root as working folder) and
 * collects its exit code and output — for tests that drive the daemon from other processes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The project root. */
export const PROJECT_ROOT = resolve(import.meta.dirname, "../..");

/** `node ARGS` with `env` added to this process's environment. */
export function runNode(args: readonly string[], env: Readonly<Record<string, string>>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env } });
    let out = "";
    let err = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    p.on("close", (code) => res({ code, out, err }));
  });
}

/**
 * An `iokit boot` daemon in its own process (sources through tsx) serving `extensions` on a fresh
 * socket; resolves once its privileged socket exists. `stop()` sends SIGTERM if it still runs.
 */
export async function startDaemonProcess(extensions: string, prefix = "iokit-daemon-"): Promise<{ socket: string; daemon: ChildProcess; stop: () => void }> {
  const socket = join(mkdtempSync(join(tmpdir(), prefix)), "iokit.sock");
  const daemon = spawn(process.execPath, [join(PROJECT_ROOT, "bin/iokit.mjs"), "boot", "--socket", socket, "--extensions", extensions], {
    cwd: PROJECT_ROOT, env: { ...process.env, IOKIT_DEV: "1" }, stdio: "ignore",
  });
  for (let i = 0; i < 600 && !existsSync(`${socket}.priv`); i++) await new Promise((r) => setTimeout(r, 50));
  return { socket, daemon, stop: () => { if (daemon.exitCode === null) daemon.kill("SIGTERM"); } };
}
