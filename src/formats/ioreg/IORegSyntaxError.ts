/**
 * The error and result types of the registry-dump importers.
 */
import type { IORegistrySnapshot } from "./IORegistrySnapshot.ts";

/** A registry dump is malformed at `line` (text) or byte `offset` (binary). */
export class IORegSyntaxError extends SyntaxError {
  /** 1-based line of the first problem (text dumps). */
  readonly line: number | undefined;
  /** Byte offset of the first problem (binary dumps). */
  readonly offset: number | undefined;

  constructor(message: string, line?: number, offset?: number) {
    super(line !== undefined ? `line ${line}: ${message}` : offset !== undefined ? `offset ${offset}: ${message}` : message);
    this.name = "IORegSyntaxError";
    this.line = line;
    this.offset = offset;
  }
}

/** Where an import stopped early. */
export interface IORegImportProblem {
  /** 1-based line (text dumps). */
  readonly line?: number;
  /** Byte offset (binary dumps). */
  readonly offset?: number;
  readonly message: string;
}

/** What an importer read: the snapshot and, when the input was damaged, the first problem. */
export interface IORegImportResult {
  readonly snapshot: IORegistrySnapshot;
  readonly problem?: IORegImportProblem;
}
