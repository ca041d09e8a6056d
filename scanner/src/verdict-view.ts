import { type Tone, undone, type Verdict } from './describe';
import type { Decision } from './door';
import { signal } from './feedback';
import { $, clockTime } from './screen';
import { count, uncount } from './tally';
import type { TallyView } from './tally-view';

const VERDICT_MS = { admit: 4000, reject: 4000 } as const;
const ICON: Record<Tone, string> = { admit: '✓', reject: '✗', trouble: '⟳', pending: '…' };

/**
 * The verdict panel: shows each verdict (sound and vibration with it), counts it, hides it after
 * a few seconds or a tap, and offers "Undo" on an admit, which `undo` takes back.
 */
export function createVerdictView(options: {
  tally: TallyView;
  undo(decision: Decision): Promise<void>;
}) {
  const { tally } = options;
  let timer: number | undefined;
  /** The last admit on screen, which "Undo" takes back. */
  let undoable: Decision | undefined;

  function showVerdict(code: string, verdict: Verdict, decision?: Decision) {
    const panel = $('verdict');
    undoable = verdict.tone === 'admit' ? decision : undefined;
    $('undo').hidden = undoable === undefined;
    panel.className = `verdict ${verdict.tone}`;
    panel.dataset.tone = verdict.tone;
    $('verdict-icon').textContent = ICON[verdict.tone];
    $('verdict-title').textContent = verdict.title;
    $('verdict-detail').textContent = verdict.detail;
    panel.hidden = false;
    window.clearTimeout(timer);
    // Checking… and trouble stay until the answer comes.
    const { tone } = verdict;
    if (tone === 'trouble' || tone === 'pending') return;
    signal(tone);
    const line = `${clockTime()} ${verdict.title} · ${verdict.detail || code}`;
    void tally.update((current) => count(current, tone, line));
    timer = window.setTimeout(() => {
      panel.hidden = true;
    }, VERDICT_MS[tone]);
  }

  $('verdict').addEventListener('click', () => {
    $('verdict').hidden = true;
  });
  $('undo').addEventListener('click', async (event) => {
    event.stopPropagation();
    const decision = undoable;
    if (!decision) return;
    undoable = undefined;
    $('undo').hidden = true;
    await options.undo(decision);
    const line = `${clockTime()} Undone`;
    void tally.update((current) => uncount(current, line));
    showVerdict('', undone);
  });

  return { show: showVerdict };
}
