/**
 * The kernel's binary serialization format (`OSSerializeBinary`), as a table of its constants.
 *
 * A buffer starts with the 32-bit little-endian signature 0x000000d3 (or, for the indexed
 * variant, a word whose low byte is 0xd4 and whose upper 24 bits count index entries). Entries
 * follow, each a 32-bit key word padded with its payload to a multiple of 4 bytes:
 * bits 24–30 hold the type, bits 0–23 a length (element count for collections, byte count for
 * strings, symbols and data, bit width for numbers, 0/1 for booleans, object index for
 * references), and bit 31 marks the last entry of the enclosing collection.
 */
export const kOSSerializeDictionary = 0x01000000;
export const kOSSerializeArray = 0x02000000;
export const kOSSerializeSet = 0x03000000;
export const kOSSerializeNumber = 0x04000000;
export const kOSSerializeSymbol = 0x08000000;
export const kOSSerializeString = 0x09000000;
export const kOSSerializeData = 0x0a000000;
export const kOSSerializeBoolean = 0x0b000000;
export const kOSSerializeObject = 0x0c000000;
export const kOSSerializeTypeMask = 0x7f000000;
export const kOSSerializeDataMask = 0x00ffffff;
export const kOSSerializeEndCollection = 0x80000000;
/** First byte of a plain binary serialization (the signature word is 0x000000d3). */
export const kOSSerializeBinarySignature = 0xd3;
/** First byte of the indexed variant, in which collections carry an extra length word. */
export const kOSSerializeIndexedBinarySignature = 0xd4;
