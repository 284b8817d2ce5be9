/**
 * One task's view of the kernel: its "port name space". Every kernel object the task can name —
 * registry entries, connections (user clients), notifications, notification ports, memory mappings,
 * open device nodes (file descriptors) — has a small integer handle here, like a Mach port name. An entry keeps one handle however many
 * times it is handed out, with a user-reference count (`urefs`), as Mach does; the kernel object is
 * retained while the handle exists.
 *
 * Invariant: {@link IOKitSession.destroy} (the task died or its connection dropped) leaves nothing:
 * user clients get `clientDied` and are terminated, notifications removed, device files closed,
 * mappings and entry references released, so instance counts return to where they were before the task came.
 */
import { IOReturnError, kIOReturnBadArgument, kIOReturnInvalid } from "../../base/index.ts";
import { kIOServiceMessageNotificationType, kOSNotificationMessageID, type WireValue } from "../../ipc/index.ts";
import type { OSObject } from "../object/index.ts";
import type { IORegistryEntry } from "../registry/index.ts";
import type { IOKernel } from "../service/index.ts";
import type { DevFile } from "../devfs/index.ts";
import type { IOMemoryDescriptor } from "./IOMemoryDescriptor.ts";
import type { IOUserClient } from "./IOUserClient.ts";
import type { IONotificationPortObject, IOUserNotification } from "./userNotifications.ts";
import type { UserTask } from "./UserTask.ts";

/** What a handle names. */
export type SessionObject =
  | { readonly kind: "entry"; readonly obj: IORegistryEntry; urefs: number }
  | { readonly kind: "connect"; readonly obj: IOUserClient; readonly maps: Set<number> }
  | { readonly kind: "notify"; readonly obj: IOUserNotification }
  | { readonly kind: "port"; readonly obj: IONotificationPortObject }
  | { readonly kind: "map"; readonly obj: IOMemoryDescriptor; readonly connect: number; readonly type: number }
  | { readonly kind: "file"; readonly obj: DevFile };

/** Where events for the task go. */
export type SessionSink = (port: number, payload: WireValue) => void;

/** Options for a session. */
export interface SessionOptions {
  /** The task shares the kernel's address space: mappings hand out the buffer itself. */
  readonly sharedMemory?: boolean;
}

/** One task's handles and the way back to it. */
export class IOKitSession {
  readonly kernel: IOKernel;
  readonly task: UserTask;
  readonly sharedMemory: boolean;
  readonly #send: SessionSink;
  readonly #handles = new Map<number, SessionObject>();
  readonly #entryHandles = new Map<IORegistryEntry, number>();
  #next = 0x103;
  #dead = false;

  constructor(kernel: IOKernel, task: UserTask, send: SessionSink, options: SessionOptions = {}) {
    this.kernel = kernel;
    this.task = task;
    this.#send = send;
    this.sharedMemory = options.sharedMemory ?? false;
  }

  get alive(): boolean {
    return !this.#dead;
  }

  /** Number of live handles (the task's port-name count). */
  get handleCount(): number {
    return this.#handles.size;
  }

  /** Sends an event to the task (dropped once it is gone). */
  send(port: number, payload: WireValue): void {
    if (!this.#dead) this.#send(port, payload);
  }

  #alloc(o: SessionObject): number {
    if (this.#dead) throw new IOReturnError(kIOReturnInvalid, "task is gone");
    const h = this.#next;
    this.#next += 4;
    this.#handles.set(h, o);
    return h;
  }

  /** Adds one user reference to `entry`'s handle (creating it, retaining the entry). */
  entryHandle(entry: IORegistryEntry): number {
    const h = this.#entryHandles.get(entry);
    if (h !== undefined) {
      const o = this.#handles.get(h);
      if (o?.kind === "entry") o.urefs++;
      return h;
    }
    entry.retain();
    const n = this.#alloc({ kind: "entry", obj: entry, urefs: 1 });
    this.#entryHandles.set(entry, n);
    return n;
  }

  addConnect(client: IOUserClient): number {
    const h = this.#alloc({ kind: "connect", obj: client, maps: new Set() });
    client.setTaskPortSink((port, payload) => this.send(port, payload));
    return h;
  }

  addNotification(n: IOUserNotification): number {
    return this.#alloc({ kind: "notify", obj: n });
  }

  addPort(p: IONotificationPortObject): number {
    return this.#alloc({ kind: "port", obj: p });
  }

  addMap(md: IOMemoryDescriptor, connect: number, type: number): number {
    const h = this.#alloc({ kind: "map", obj: md, connect, type });
    const c = this.#handles.get(connect);
    if (c?.kind === "connect") c.maps.add(h);
    return h;
  }

  /** An open device node (a file descriptor). */
  addFile(f: DevFile): number {
    return this.#alloc({ kind: "file", obj: f });
  }

  /** Removes a file descriptor's handle and hands its file to the caller (who closes it), or undefined. */
  takeFile(handle: number): DevFile | undefined {
    const o = this.#handles.get(handle);
    if (o?.kind !== "file") return undefined;
    this.#handles.delete(handle);
    return o.obj;
  }

  /** Open device files. */
  get fileCount(): number {
    let n = 0;
    for (const o of this.#handles.values()) if (o.kind === "file") n++;
    return n;
  }

  /** The object a handle names, of the wanted kind; kIOReturnBadArgument otherwise. */
  lookup<K extends SessionObject["kind"]>(handle: number, kind: K): Extract<SessionObject, { kind: K }> {
    const o = this.#handles.get(handle);
    if (o === undefined || o.kind !== kind) throw new IOReturnError(kIOReturnBadArgument, `0x${handle.toString(16)} is not a valid ${kind} handle`);
    return o as Extract<SessionObject, { kind: K }>;
  }

  /** The kind a handle names, or undefined. */
  kindOf(handle: number): SessionObject["kind"] | undefined {
    return this.#handles.get(handle)?.kind;
  }

  /** `IOObjectRelease`: drops one reference (entries) or the whole object (everything else). */
  release(handle: number): void {
    const o = this.#handles.get(handle);
    if (o === undefined) throw new IOReturnError(kIOReturnBadArgument, `0x${handle.toString(16)} is not a valid handle`);
    if (o.kind === "entry" && --o.urefs > 0) return;
    this.#drop(handle, o);
  }

  /** Closes a connection: clientClose, then termination if the client did not terminate itself. */
  closeConnect(handle: number, died: boolean): void {
    const o = this.lookup(handle, "connect");
    this.#handles.delete(handle);
    for (const m of o.maps) this.unmap(m);
    const uc = o.obj;
    uc.setTaskPortSink(undefined);
    if (!uc.closed) {
      uc.closed = true;
      try {
        if (died) uc.clientDied();
        else uc.clientClose();
      } catch (e) {
        this.kernel.log(`${uc.className}::${died ? "clientDied" : "clientClose"} threw: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    // Divergence from XNU: a client whose clientClose did not terminate it is terminated here, so a
    // closed or dead connection never leaves a user client attached.
    if (!uc.isInactive()) uc.terminate();
    uc.release();
  }

  /** Removes a mapping. */
  unmap(handle: number): void {
    const o = this.lookup(handle, "map");
    this.#handles.delete(handle);
    const c = this.#handles.get(o.connect);
    if (c?.kind === "connect") c.maps.delete(handle);
    o.obj.release();
  }

  /** An interest message for the task's notification `port`. */
  interestMessage(port: number, serviceHandle: number, type: number, argument: unknown): void {
    const arg: WireValue = typeof argument === "number" || typeof argument === "bigint" || typeof argument === "string" || typeof argument === "boolean" ? argument : null;
    this.send(port, [kOSNotificationMessageID, kIOServiceMessageNotificationType, serviceHandle, type >>> 0, arg]);
  }

  #drop(handle: number, o: SessionObject): void {
    switch (o.kind) {
      case "connect":
        this.closeConnect(handle, true);
        return;
      case "map":
        this.unmap(handle);
        return;
      case "entry":
        this.#entryHandles.delete(o.obj);
        break;
      case "file":
        // The task let go of a descriptor (or died): close it; the driver's d_close may finish later.
        this.#handles.delete(handle);
        void Promise.resolve(o.obj.close()).catch((e: unknown) => this.kernel.log(`devfs: close of /dev/${o.obj.node.name} failed: ${e instanceof Error ? e.message : String(e)}`));
        return;
      default:
    }
    this.#handles.delete(handle);
    (o.obj as OSObject).release();
  }

  /** The task is gone: release everything it held. */
  destroy(): void {
    if (this.#dead) return;
    for (const [h, o] of [...this.#handles]) if (o.kind === "connect") this.closeConnect(h, true);
    for (const [h, o] of [...this.#handles]) if (this.#handles.has(h)) this.#drop(h, o);
    this.#dead = true;
  }
}
