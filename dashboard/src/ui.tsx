import { useMutation } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { useLocation, useSearchParams } from 'wouter';
import { ApiFailure } from './api';
import { type FieldWords, fieldOf, inFormWords } from './words';

/** What went wrong, in words: an error's message, or a `{ message }` the page made of one. */
export const messageOf = (error: unknown) =>
  error && typeof error === 'object' && typeof (error as Error).message === 'string'
    ? (error as Error).message
    : 'Something went wrong';

/**
 * A form's submission: while it runs, and the server's error if it failed (what was typed stays,
 * as the fields keep their state), in the form's words: `words` names the API's fields as the
 * form's labels do. The error shows at the top of the form and by the field it is about. A
 * write through it marks what the pages have read stale, and what is on screen is read again
 * before it settles (`queryClient` in api.ts).
 */
export function useSubmit(submit: () => Promise<void>, words: FieldWords = {}) {
  const mutation = useMutation<void, Error>({ mutationFn: submit });
  const onSubmit = async (event?: FormEvent) => {
    event?.preventDefault();
    await mutation.mutateAsync().catch(() => undefined);
  };
  const error = mutation.error ?? undefined;
  const failure = error && {
    message: error instanceof ApiFailure ? inFormWords(error.message, words) : error.message,
  };
  const about = error instanceof ApiFailure ? fieldOf(error.message, words) : undefined;
  const fieldError = (field: string) => (about === field ? failure?.message : undefined);
  return { onSubmit, busy: mutation.isPending, failure, fieldError };
}

/** The server's message at the top of a form or page, read out when it appears. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {typeof error === 'string' ? error : messageOf(error)}
    </p>
  );
}

/** A labelled input; the server's error about it shows under it and is tied to it. */
export function Field(props: {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string;
  children: (aria: { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactNode;
}) {
  const described = [props.hint && `${props.id}-hint`, props.error && `${props.id}-error`]
    .filter(Boolean)
    .join(' ');
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      {props.children({
        id: props.id,
        ...(props.error ? { 'aria-invalid': true as const } : {}),
        ...(described ? { 'aria-describedby': described } : {}),
      })}
      {props.hint && (
        <small id={`${props.id}-hint`} className="hint">
          {props.hint}
        </small>
      )}
      {props.error && (
        <small id={`${props.id}-error`} className="field-error">
          {props.error}
        </small>
      )}
    </div>
  );
}

/** Page N of M, with previous and next. */
export function Pager(props: {
  page: number;
  limit: number;
  total: number;
  /** The total is an estimate: the last page is too, and Next stays on while pages are full. */
  estimated?: boolean;
  /** Whether the page is full (there may be more), for an estimated total. */
  full?: boolean;
  onPage: (page: number) => void;
}) {
  const last = Math.max(1, Math.ceil(props.total / props.limit));
  const hasNext = props.estimated ? Boolean(props.full) : props.page < last;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={props.page <= 1} onClick={() => props.onPage(props.page - 1)}>
        Previous
      </button>
      <span>
        Page {props.page.toLocaleString()} of {props.estimated ? 'about ' : ''}
        {last.toLocaleString()}
      </span>
      <button type="button" disabled={!hasNext} onClick={() => props.onPage(props.page + 1)}>
        Next
      </button>
    </nav>
  );
}

/** Copies `text`, and says so. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      onClick={async () => {
        await navigator.clipboard.writeText(text).catch(() => {});
        setCopied(true);
      }}
    >
      {copied ? 'Copied' : label}
    </button>
  );
}

/** A secret shown once (a key, a signing secret, a link): to copy now. */
export function ShownOnce(props: { label: string; value: string; children?: ReactNode }) {
  return (
    <div className="shown-once" role="status">
      <p>
        <strong>{props.label}</strong> — shown once: copy it now.
      </p>
      <p className="secret">
        <code>{props.value}</code> <CopyButton text={props.value} />
      </p>
      {props.children}
    </div>
  );
}

export const when = (iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—';

export function Status({ status }: { status: string }) {
  return <span className={`status status-${status}`}>{status.replace(/_/g, ' ')}</span>;
}

/**
 * A table that scrolls sideways on a phone: the region is focusable, so that the keyboard can
 * scroll it too, and named after what it holds.
 */
export function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus to be scrolled by keyboard
    <section className="table-wrap" tabIndex={0} aria-label={label}>
      {children}
    </section>
  );
}

/**
 * What the buttons of a page do to its items (revoke, disable, resend…): each runs, then what
 * the page shows is read again; a failure's message is `error`, for the page to show.
 */
export function useAction() {
  const mutation = useMutation<unknown, Error, () => Promise<unknown>>({
    mutationFn: (run) => run(),
  });
  const act = (run: () => Promise<unknown>) => mutation.mutateAsync(run).catch(() => undefined);
  return {
    act,
    error: mutation.error ? messageOf(mutation.error) : undefined,
    busy: mutation.isPending,
  };
}

/** "1 pass", "2,500 passes". */
export const counted = (count: number, one: string, many: string, estimated = false) =>
  `${estimated ? 'about ' : ''}${count.toLocaleString()} ${count === 1 ? one : many}`;

/**
 * A list page's filters and page number, kept in the address (`?search=ana&status=used&page=2`),
 * so that a reload, the back button and a link sent to someone keep them. A changed filter goes
 * back to the first page.
 */
export function useAddressFilters<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  const [location, navigate] = useLocation();
  const values = Object.fromEntries(keys.map((key) => [key, params.get(key) ?? ''])) as Record<
    K,
    string
  >;
  const put = (key: K | 'page', value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    if (key !== 'page') next.delete('page');
    // An empty search is written as a bare "?": wouter's setter leaves the old one otherwise.
    if (next.size === 0) navigate(`${location}?`, { replace: true });
    else setParams(next, { replace: true });
  };
  return {
    values,
    page: Math.max(1, Math.floor(Number(params.get('page'))) || 1),
    set: (key: K, value: string) => put(key, value),
    setPage: (page: number) => put('page', page > 1 ? String(page) : ''),
  };
}
