export { bootMachine, IOPlatformDevice, VirtualMachine } from "./bootMachine.ts";
