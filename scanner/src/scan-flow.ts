import { extractPassCode, parseSignedCode } from '@passgate/shared/core';
import { checking, describeDecision, type Verdict } from './describe';
import type { Decision, Door } from './door';
import type { DoorPlace } from './door-place';

/** The same code is not sent again while it stays in view (seen again within this long). */
const REPEAT_WINDOW_MS = 3000;
/** An answer slower than this shows "Checking…" until it comes. */
const PENDING_AFTER_MS = 600;

export interface ScanFlowEvents {
  onVerdict(code: string, verdict: Verdict, decision?: Decision): void;
}

/**
 * Turns decoded codes into verdicts through the door (the server, or the phone when the server
 * does not answer in time). Each new code is decided at once, whatever another one is waiting
 * for; a code that stays in view is not decided again.
 */
export function createScanFlow(
  door: Door,
  where: { device(): string; tenant(): string | undefined; place(): DoorPlace },
  events: ScanFlowEvents,
) {
  let lastCode: string | undefined;
  let lastSeen = 0;

  return {
    /** A decoded QR (or typed code): ignored while the same code stays in view. */
    async submit(text: string, options: { typed?: boolean } = {}) {
      const code = extractPassCode(text);
      const now = Date.now();
      const repeat = code === lastCode && now - lastSeen < REPEAT_WINDOW_MS;
      lastSeen = now;
      if (repeat && !options.typed) return;
      lastCode = code;
      // Staff see the pass's own code, also for a signed one.
      const shown = parseSignedCode(code)?.statement.code ?? code;
      const decoded = performance.now();
      const pending = setTimeout(() => events.onVerdict(shown, checking), PENDING_AFTER_MS);
      try {
        const decision = await door.decide(code, where.device(), where.place());
        events.onVerdict(
          shown,
          describeDecision(decision, { code: shown, tenant: where.tenant() }),
          decision,
        );
        // From the decoded code to the verdict on screen, for `pnpm bench`.
        performance.measure('passgate:verdict', { start: decoded, detail: decision.by });
      } finally {
        clearTimeout(pending);
        lastSeen = Date.now();
      }
    },
  };
}
