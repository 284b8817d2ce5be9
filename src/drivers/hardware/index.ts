export { PCIFunctionModel, kPCICommandBusMaster, kPCICommandMemorySpace, kPCICapMSI, type InterruptWire } from "./PCIFunctionModel.ts";
export { Uart16550, UART_RBR, UART_IER, UART_IIR, UART_LCR, UART_MCR, UART_LSR, UART_MSR, UART_SCR, LSR_DR, LSR_THRE, IER_RDA, IER_THRE } from "./Uart16550.ts";
export { LoopbackNIC } from "./LoopbackNIC.ts";
export { VirtualUSBDevice, type USBSetup, type USBTransferResult } from "./VirtualUSBDevice.ts";
export { XHCIController, kXHCIPortCount } from "./XHCIController.ts";
export { NVMeRamDisk, RamDisk, crc32 } from "./NVMeRamDisk.ts";
export { deviceDescriptor, configurationDescriptor, stringDescriptor, kUSBDeviceDesc, kUSBConfDesc, kUSBStringDesc, kUSBInterfaceDesc, kUSBEndpointDesc, kUSBHIDDesc, kUSBReportDesc } from "./usbDescriptors.ts";
export { createFunctionModel } from "./createFunctionModel.ts";
export { SamplePCIDevice, SAMPLE_ID } from "./SamplePCIDevice.ts";
