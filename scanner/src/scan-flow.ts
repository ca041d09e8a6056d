import type { ScanAnswer } from '@passgate/shared';
import type { ApiResult, PassgateClient } from '@passgate/shared/client';
import { extractPassCode } from '@passgate/shared/core';
import { nanoid } from 'nanoid';
import {
  checking,
  describeAnswer,
  networkTrouble,
  rateLimited,
  serverTrouble,
  unknownPass,
  type Verdict,
} from './describe';

/** The same code is not sent again while it stays in view (seen again within this long). */
const REPEAT_WINDOW_MS = 3000;
const REQUEST_TIMEOUT_MS = 6000;
/** An answer slower than this shows "Checking…" until it comes. */
const PENDING_AFTER_MS = 600;

/** An answer ends the scan with a verdict, or shows trouble and sends again after `waitMs`. */
type Next = { final: Verdict } | { retry: Verdict; waitMs: number };

const backoff = (attempt: number) => Math.min(1000 * 2 ** attempt, 5000);

/** Retry-After as whole seconds (what the API sends), kept between 1 s and a minute. */
function retryAfterSeconds(headers: Headers): number {
  const seconds = Number(headers.get('retry-after') ?? Number.NaN);
  return Number.isFinite(seconds) ? Math.min(Math.max(Math.ceil(seconds), 1), 60) : 5;
}

function nextStep(res: ApiResult<ScanAnswer>, attempt: number): Next {
  if (res.ok) return { final: describeAnswer(res.data) };
  switch (res.status) {
    // The scanner sends only the code (and its own short device label), so a 400 or 413 is about
    // the code: one far too long to be a pass, such as a vCard's QR. No retry changes it.
    case 400:
    case 404:
    case 413:
      return { final: unknownPass };
    case 401:
    case 403:
      return { final: { tone: 'reject', title: 'Scanner not allowed', detail: res.error } };
    case 429: {
      // The key's budget for this minute is spent: say so (it is not the network), and wait for it.
      const seconds = retryAfterSeconds(res.headers);
      return { retry: rateLimited(seconds), waitMs: seconds * 1000 };
    }
    case 408:
    case 409: // the first try is still running
      return { retry: networkTrouble(attempt), waitMs: backoff(attempt) };
  }
  if (res.status >= 500) return { retry: serverTrouble(attempt), waitMs: backoff(attempt) };
  // Any other refusal is final too: retrying it would hold the door up for nothing.
  return { final: { tone: 'reject', title: 'Scan refused', detail: res.error } };
}

export interface ScanFlowEvents {
  onVerdict(code: string, verdict: Verdict): void;
}

/**
 * Turns decoded codes into answers: one POST /scan per code in view, under an Idempotency-Key
 * that stays the same through network retries, so a lost answer never admits twice.
 */
export function createScanFlow(
  client: () => PassgateClient | undefined,
  device: () => string,
  events: ScanFlowEvents,
) {
  let lastCode: string | undefined;
  let lastSeen = 0;
  let busy = false;

  async function send(code: string) {
    const api = client();
    if (!api) return;
    // nanoid, not crypto.randomUUID: that exists only on https:// pages, and the scanner must
    // still take typed codes where it was opened over plain http.
    const idempotencyKey = nanoid();
    // Read once: every retry must send the same body, or the API refuses the key's reuse (422).
    const label = device();
    for (let attempt = 0; ; attempt++) {
      let next: Next;
      // The first try only: during retries the amber trouble screen stays up.
      const pending =
        attempt === 0
          ? setTimeout(() => events.onVerdict(code, checking), PENDING_AFTER_MS)
          : undefined;
      try {
        const res = await api.scan(
          { code, device: label },
          { idempotencyKey, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) },
        );
        next = nextStep(res, attempt);
      } catch {
        // offline, refused, timed out: retry under the same key
        next = { retry: networkTrouble(attempt), waitMs: backoff(attempt) };
      } finally {
        clearTimeout(pending);
      }
      if ('final' in next) return events.onVerdict(code, next.final);
      events.onVerdict(code, next.retry);
      await new Promise((resolve) => setTimeout(resolve, next.waitMs));
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
