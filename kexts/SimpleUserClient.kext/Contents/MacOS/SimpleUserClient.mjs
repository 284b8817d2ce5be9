// SimpleUserClient: the sample driver of iokit-ts, after Apple's SimpleUserClient sample.
//
// A JavaScript kext (see docs/kext.md): `defineClasses(kpi)` receives the kernel API and returns
// the kext's classes. SimpleUserClientDriver matches on IOResources and publishes itself; user
// space opens it with IOServiceOpen and gets a SimpleUserClient, an IOUserClient2022 whose
// dispatch table is below. Selectors:
//   0 kSimpleScalar     2 scalars in  → their sum and product (2 scalars out)
//   1 kSimpleStruct     any structure → the same bytes reversed (variable size)
//   2 kSimpleAsync      1 scalar in (a delay in ms, ≤ 1000) → completes later with [delay * 2]
//   3 kSimpleFixed      16 bytes in (two little-endian uint64) → 8 bytes out (their XOR)
//   4 kSimpleSharedSum  no input → the sum of the bytes of shared memory type 0 (1 scalar out)
// Memory type 0 is a 4096-byte buffer shared with the client (IOConnectMapMemory64).

export function defineClasses(kpi) {
  const V = kpi.kIOUCVariableStructureSize;
  const ok = 0;

  class SimpleUserClientDriver extends kpi.IOService {
    start(provider) {
      if (!super.start(provider)) return false;
      this.registerService();
      this.IOLog("SimpleUserClientDriver: started");
      return true;
    }
  }

  const methods = [
    {
      function: (_t, _r, a) => {
        const [x, y] = a.scalarInput;
        a.scalarOutput[0] = BigInt.asUintN(64, x + y);
        a.scalarOutput[1] = BigInt.asUintN(64, x * y);
        return ok;
      },
      checkScalarInputCount: 2, checkStructureInputSize: 0, checkScalarOutputCount: 2, checkStructureOutputSize: 0, allowAsync: false,
    },
    {
      function: (_t, _r, a) => {
        const n = Math.min(a.structureInput.length, a.structureOutput.length);
        for (let i = 0; i < n; i++) a.structureOutput[i] = a.structureInput[a.structureInput.length - 1 - i];
        a.structureOutputSize = n;
        return ok;
      },
      checkScalarInputCount: 0, checkStructureInputSize: V, checkScalarOutputCount: 0, checkStructureOutputSize: V, allowAsync: false,
    },
    {
      function: (target, _r, a) => {
        const delay = Number(a.scalarInput[0]);
        if (delay > 1000 || a.asyncReference === null) return 0xe00002c2; // kIOReturnBadArgument
        const ref = a.asyncReference;
        target.getWorkLoop().scheduler.postAfter(delay * 1_000_000, () => target.sendAsyncResult64(ref, ok, [BigInt(delay) * 2n]), "SimpleUserClient async");
        return ok;
      },
      checkScalarInputCount: 1, checkStructureInputSize: 0, checkScalarOutputCount: 0, checkStructureOutputSize: 0, allowAsync: true,
    },
    {
      function: (_t, _r, a) => {
        const v = new DataView(a.structureInput.buffer, a.structureInput.byteOffset, 16);
        const out = new DataView(a.structureOutput.buffer, a.structureOutput.byteOffset, 8);
        out.setBigUint64(0, v.getBigUint64(0, true) ^ v.getBigUint64(8, true), true);
        return ok;
      },
      checkScalarInputCount: 0, checkStructureInputSize: 16, checkScalarOutputCount: 0, checkStructureOutputSize: 8, allowAsync: false,
    },
    {
      function: (target, _r, a) => {
        let sum = 0n;
        for (const b of target.sharedMemory().bytes) sum += BigInt(b);
        a.scalarOutput[0] = sum;
        return ok;
      },
      checkScalarInputCount: 0, checkStructureInputSize: 0, checkScalarOutputCount: 1, checkStructureOutputSize: 0, allowAsync: false,
    },
  ];

  class SimpleUserClient extends kpi.IOUserClient2022 {
    initWithTask(task, securityID, type, properties) {
      if (!super.initWithTask(task, securityID, type, properties)) return false;
      this.setProperty("IOUserClientDefaultLocking", true);
      this.setProperty("IOUserClientDefaultLockingSetProperties", true);
      this.setProperty("IOUserClientDefaultLockingSingleThreadExternalMethod", false);
      this.setProperty("IOUserClientEntitlements", false);
      return true;
    }

    sharedMemory() {
      this.memory ??= kpi.IOBufferMemoryDescriptor.withCapacity(4096);
      return this.memory;
    }

    externalMethod(selector, args) {
      return this.dispatchExternalMethod(selector, args, methods, this);
    }

    clientMemoryForType(type) {
      if (type !== 0) return super.clientMemoryForType(type);
      return { ret: ok, memory: this.sharedMemory().retain() };
    }

    clientClose() {
      this.terminate();
      return ok;
    }

    stop(provider) {
      this.memory?.release();
      this.memory = undefined;
      super.stop(provider);
    }
  }

  return { SimpleUserClientDriver, SimpleUserClient };
}

export function start() {
  return 0;
}
