import type { ScanAnswer } from '@passgate/shared';
import type { ScanResult, SignatureProblem } from '@passgate/shared/core';
import type { DoorPass } from './store';

// What the door tells the page: each decision, its state, and its events.

/** How one scan was decided: by the server, or on this phone. */
export type Decision =
  | { by: 'server'; answer: ScanAnswer; key: string }
  | { by: 'server'; unknown: true; key: string }
  | {
      by: 'phone';
      result: ScanResult;
      pass: DoorPass;
      key: string;
      scannedAt: string;
      /** Not in this phone's list: decided from what its signed code states. */
      unlisted?: true;
    }
  /** A signed code refused on this phone: why, and the code it names. */
  | { by: 'phone'; invalid: SignatureProblem; code: string; key: string }
  | {
      by: 'phone';
      unknown: true;
      key: string;
      listFrom: string | undefined;
      /** An exit: let out, and queued so the server records it. */
      recorded: boolean;
    };

export interface DoorState {
  online: boolean;
  /** Scans and undos decided on this phone, not uploaded yet. */
  waiting: number;
  /** When the pass list was last brought up to date (ISO), if ever. */
  listFrom: string | undefined;
  /** How far this phone's clock is ahead of the server's (negative: behind), when last measured. */
  clockSkewMs: number | undefined;
}

export interface DoorEvents {
  onState(state: DoorState): void;
  /** The server refused this scanner's credential (a revoked device): all it held is gone. */
  onRemoved(): void;
  /** An upload the server refused for good (not a network or rate problem). */
  onRefusedUpload(code: string, error: string): void;
}
