/**
 * OpenStep ("old-style" ASCII) property lists and `.strings` files: {@link parseOpenStep},
 * {@link parseStrings}, {@link readStringsFile} (text, XML or binary), {@link writeStrings}, {@link writeOpenStep}.
 */
export { OpenStepSyntaxError } from "./OpenStepSyntaxError.ts";
export { decodeText, type TextEncodingName } from "./decodeText.ts";
export { parseOpenStep, tryParseOpenStep, parseStrings, type OpenStepParseOptions } from "./parseOpenStep.ts";
export { readStringsFile, StringsFormatError } from "./readStringsFile.ts";
export { writeStrings, formatStrings, writeOpenStep, quoteOpenStepString, type WriteStringsOptions } from "./writeStrings.ts";
