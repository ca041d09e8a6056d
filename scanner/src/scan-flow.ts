import { extractPassCode, type PassgateClient } from '@passgate/shared';
import { describeAnswer, networkTrouble, unknownPass, type Verdict } from './describe';

/** The same code is not sent again while it stays in view (seen again within this long). */
const REPEAT_WINDOW_MS = 3000;
const REQUEST_TIMEOUT_MS = 6000;

export interface ScanFlowEvents {
  onVerdict(code: string, verdict: Verdict): void;
}

/**
 * Turns decoded codes into answers: one POST /scan per code in view, under an Idempotency-Key
 * that stays the same through network retries, so a lost answer never admits twice.
 */
export function createScanFlow(
  client: () => PassgateClient | undefined,
  device: string,
  events: ScanFlowEvents,
) {
  let lastCode: string | undefined;
  let lastSeen = 0;
  let busy = false;

  async function send(code: string) {
    const api = client();
    if (!api) return;
    const idempotencyKey = crypto.randomUUID();
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await api.scan(
          { code, device },
          { idempotencyKey, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) },
        );
        if (res.ok) return events.onVerdict(code, describeAnswer(res.data));
        // The scanner sends only the code (and its own short device label), so a 400 or 413 is
        // about the code: one far too long to be a pass, such as a vCard's QR. No retry changes it.
        if (res.status === 404 || res.status === 400 || res.status === 413) {
          return events.onVerdict(code, unknownPass);
        }
        if (res.status === 401 || res.status === 403) {
          return events.onVerdict(code, {
            tone: 'reject',
            title: 'Scanner not allowed',
            detail: res.error,
          });
        }
        // Any other refusal is final too (retrying it would hold the door up for nothing).
        if (res.status < 500 && res.status !== 408 && res.status !== 409 && res.status !== 429) {
          return events.onVerdict(code, {
            tone: 'reject',
            title: 'Scan refused',
            detail: res.error,
          });
        }
        // 408, 409 (first try still running), 429, 5xx: the same key again, shortly.
      } catch {
        // offline, refused, timed out: retry under the same key
      }
      events.onVerdict(code, networkTrouble(attempt));
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** attempt, 5000)));
    }
  }

  return {
    /** A decoded QR (or typed code): ignored while the same code stays in view. */
    async submit(text: string, options: { typed?: boolean } = {}) {
      const code = extractPassCode(text);
      const now = Date.now();
      const repeat = code === lastCode && now - lastSeen < REPEAT_WINDOW_MS;
      lastSeen = now;
      if ((repeat && !options.typed) || busy) return;
      lastCode = code;
      busy = true;
      try {
        await send(code);
      } finally {
        busy = false;
        lastSeen = Date.now();
      }
    },
  };
}
