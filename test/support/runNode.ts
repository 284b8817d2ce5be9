/**
 * Test support: runs Node on `args` in its own process (the project root as working folder) and
 * collects its exit code and output — for tests that drive the daemon from other processes.
 */
import { spawn } from "node:child_process";
import { resolve } from "node:path";

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
