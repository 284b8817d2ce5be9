/**
 * SampleVirtualVolume: a software RAID-0 that simulates a volume, in the manner of AppleRAID. It
 * matches an `IOMedia` partition of type Apple_RAID (`Content Mask`), splits it into two members
 * and publishes `SampleVirtualVolumeDevice`, an `IOBlockStorageDevice` striping 64 KiB chunks over
 * them (reads come from the partition; writes stay in RAM). IOStorageFamily then stacks
 * `IOBlockStorageDriver` → `IOMedia` (`disk1`) on it, exactly as on a hardware disk.
 *
 * Work loop and interrupts: requests complete through a software `IOInterruptEventSource` (no
 * provider) that the "members" signal, so completion runs on the driver's work loop as a hardware
 * completion interrupt would. Power: state 0 refuses I/O (the members are "spun down").
 * Misuse: a read beyond the last block fails (undefined → the family reports an I/O error).
 * User client: {@link SampleVirtualVolumeUserClient} (geometry, a block through the stripe map, stats).
 */
import type { IOService as IOServiceType } from "../../src/kernel/index.ts";
import { IOInterruptEventSource, IOService, kIOPMDeviceUsable, kIOPMPowerOn, kIOServiceAsynchronous } from "../../src/kernel/index.ts";
import { IOBlockStorageDevice, IOMedia } from "../../src/drivers/index.ts";
import { num } from "../../src/libkern/index.ts";

export { SampleVirtualVolumeUserClient } from "./SampleVirtualVolumeUserClient.ts";

const BLOCK = 512;
const STRIPE_BLOCKS = 128; // 64 KiB
type Reader = (offset: number, length: number) => Uint8Array;
const POWER_STATES = [
  { version: 1, capabilityFlags: 0, outputPowerCharacter: 0, inputPowerRequirement: 0 },
  { version: 1, capabilityFlags: kIOPMDeviceUsable | kIOPMPowerOn, outputPowerCharacter: kIOPMPowerOn, inputPowerRequirement: kIOPMPowerOn },
];

/** One member: a half of the partition, with writes kept in RAM. */
class Member {
  readonly blocks = new Map<number, Uint8Array>();
  readonly #read: Reader;
  readonly #base: number;
  constructor(read: Reader, base: number) { this.#read = read; this.#base = base; }
  read(lba: number): Uint8Array { return this.blocks.get(lba) ?? this.#read(this.#base + lba * BLOCK, BLOCK); }
  write(lba: number, data: Uint8Array): void { this.blocks.set(lba, data.slice(0, BLOCK)); }
}

export class SampleVirtualVolumeDevice extends IOBlockStorageDevice {
  members: Member[] = [];
  memberBlocks = 0;
  online = true;
  completions = 0;
  completion: IOInterruptEventSource | undefined;
  override get blockSize(): number { return BLOCK; }
  override get blockCount(): number { return this.memberBlocks * this.members.length; }
  /** Splits `size` bytes read through `read` into two members. */
  setMembers(read: Reader, size: number): void {
    this.memberBlocks = Math.floor(size / 2 / BLOCK / STRIPE_BLOCKS) * STRIPE_BLOCKS;
    this.members = [new Member(read, 0), new Member(read, this.memberBlocks * BLOCK)];
  }
  /** Maps a volume block to (member, member block): RAID-0 striping. */
  locate(lba: number): [Member, number] {
    const stripe = Math.floor(lba / STRIPE_BLOCKS), within = lba % STRIPE_BLOCKS;
    const member = this.members[stripe % this.members.length] as Member;
    return [member, Math.floor(stripe / this.members.length) * STRIPE_BLOCKS + within];
  }
  override readBlocks(lba: number, count: number): Uint8Array | undefined {
    if (!this.online || lba < 0 || count < 1 || lba + count > this.blockCount) return undefined;
    const out = new Uint8Array(count * BLOCK);
    for (let i = 0; i < count; i++) {
      const [m, b] = this.locate(lba + i);
      out.set(m.read(b), i * BLOCK);
    }
    this.completion?.interruptOccurred();
    return out;
  }
  override writeBlocks(lba: number, data: Uint8Array): boolean {
    const count = Math.ceil(data.length / BLOCK);
    if (!this.online || lba < 0 || lba + count > this.blockCount) return false;
    for (let i = 0; i < count; i++) {
      const [m, b] = this.locate(lba + i);
      m.write(b, data.subarray(i * BLOCK, (i + 1) * BLOCK));
    }
    this.completion?.interruptOccurred();
    return true;
  }
}

export class SampleVirtualVolume extends IOService {
  #device: SampleVirtualVolumeDevice | undefined;

  /** The striped volume this driver publishes. */
  get volume(): SampleVirtualVolumeDevice | undefined { return this.#device; }

  override start(provider: IOServiceType): boolean {
    if (!super.start(provider) || !(provider instanceof IOMedia)) return false;
    if (provider.size < 2 * STRIPE_BLOCKS * BLOCK) {
      this.IOLog(`SampleVirtualVolume: ${provider.getName()} is too small for two members`);
      return false;
    }
    const dev = new SampleVirtualVolumeDevice(this.registry);
    dev.init();
    dev.setMembers((offset, length) => provider.read(offset, length), provider.size);
    dev.setName("SampleVirtualVolumeDevice");
    dev.setProperties([["device-type", "Generic"], ["RAID Level", "0"], ["RAID Chunk Size", num(STRIPE_BLOCKS * BLOCK, 64)], ["RAID Members", num(2, 32)]]);
    const loop = this.getWorkLoop();
    const completion = IOInterruptEventSource.interruptEventSource(this, () => {
      dev.completions++;
      dev.setProperty("Completions", num(dev.completions, 32));
    });
    if (completion === null) return false;
    loop.addEventSource(completion);
    completion.enable();
    dev.completion = completion;
    this.resources.defer(() => { dev.completion = undefined; loop.removeEventSource(completion); });
    this.PMinit();
    provider.joinPMtree(this);
    this.registerPowerDriver(this, POWER_STATES);
    this.changePowerStateTo(1);
    this.resources.defer(() => this.PMstop());
    dev.attach(this);
    dev.registerService(kIOServiceAsynchronous);
    dev.release();
    this.#device = dev;
    this.registerService();
    return true;
  }

  override setPowerState(state: number, _device: IOServiceType): number {
    if (this.#device) this.#device.online = state !== 0;
    return 0;
  }
}
