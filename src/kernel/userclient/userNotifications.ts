/**
 * The kernel objects behind user-space notifications, counted by ioclasscount like XNU's, so a test
 * can show that creating and destroying notifications (even racing with service churn) leaks none.
 */
import { OSMetaClass, OSObject } from "../object/index.ts";

/** `IOUserNotification`: the base of user notifications; holds the kernel-side registration. */
export class IOUserNotification extends OSObject {
  #remove: (() => void) | undefined;

  /** Binds the kernel registration to remove on free. */
  bind(remove: () => void): void {
    this.#remove = remove;
  }

  protected override free(): void {
    const r = this.#remove;
    this.#remove = undefined;
    r?.();
  }
}
OSMetaClass.define(IOUserNotification, "IOUserNotification");

/** A matching notification (`IOServiceAddMatchingNotification`). */
export class IOServiceUserNotification extends IOUserNotification {}
OSMetaClass.define(IOServiceUserNotification, "IOServiceUserNotification");

/** An interest notification (`IOServiceAddInterestNotification`). */
export class IOServiceMessageUserNotification extends IOUserNotification {}
OSMetaClass.define(IOServiceMessageUserNotification, "IOServiceMessageUserNotification");

/** A task's notification port (`IONotificationPortCreate`): where async completions go. */
export class IONotificationPortObject extends OSObject {}
OSMetaClass.define(IONotificationPortObject, "IOUserNotificationPort");
