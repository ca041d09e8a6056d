import { useState } from 'react';
import { $api, api, must, type Schemas } from '../api';
import { ErrorMessage, Field, ShownOnce, TableWrap, useAction, useSubmit, when } from '../ui';
import type { FieldWords } from '../words';

/** The API's fields as this form names them, for its errors. */
const WORDS: FieldWords = { event: 'Event', targetUrl: 'Target URL' };

type Webhook = Schemas['Webhook'];
const EVENTS = [
  'pass.created',
  'pass.scanned',
  'pass.status_changed',
  'client.created',
  'client.merged',
  'scan.conflict',
  'pass.scan_annulled',
] as const;

function DeliveryLog({ webhook }: { webhook: Webhook }) {
  const log = $api.useQuery('get', '/webhooks/{webhookId}/deliveries', {
    params: { path: { webhookId: webhook.id }, query: { limit: 50 } },
  });
  const [note, setNote] = useState<string>();
  const resend = async (eventId: string) => {
    setNote(undefined);
    try {
      await must(
        api.POST('/webhooks/{webhookId}/deliveries/{eventId}/retry', {
          params: { path: { webhookId: webhook.id, eventId } },
        }),
      );
      setNote('Queued to be sent again: the log shows the new attempt once it is made.');
      setTimeout(() => void log.refetch(), 1500);
    } catch (error) {
      setNote((error as Error).message);
    }
  };
  const sendTest = async () => {
    setNote(undefined);
    try {
      await must(
        api.POST('/webhooks/{webhookId}/test', { params: { path: { webhookId: webhook.id } } }),
      );
      setNote('Test event queued: the log shows its delivery once it is made.');
      setTimeout(() => void log.refetch(), 1500);
    } catch (error) {
      setNote((error as Error).message);
    }
  };
  // The newest attempt of each event decides whether it can be resent.
  const latest = new Set<string>();
  return (
    <section aria-label={`Deliveries to ${webhook.targetUrl}`}>
      <div className="page-head">
        <h3>Delivery log</h3>
        <span className="row-actions">
          <button type="button" onClick={() => void sendTest()}>
            Send test event
          </button>
          <button type="button" onClick={() => void log.refetch()}>
            Refresh
          </button>
        </span>
      </div>
      <ErrorMessage error={log.error} />
      {note && <p role="status">{note}</p>}
      {log.data?.length === 0 && <p>No deliveries yet.</p>}
      {log.data && log.data.length > 0 && (
        <TableWrap label="Delivery log">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">Attempt</th>
                <th scope="col">Status</th>
                <th scope="col">Response</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {log.data.map((attempt) => {
                const newest = !latest.has(attempt.eventId);
                latest.add(attempt.eventId);
                const ok = attempt.statusCode !== null && attempt.statusCode < 300;
                const failedForGood = newest && !ok && attempt.nextRetryAt === null;
                return (
                  <tr key={attempt.id}>
                    <td>{when(attempt.attemptedAt)}</td>
                    <td>
                      {attempt.event} <small>{attempt.eventId}</small>
                    </td>
                    <td>{attempt.attempt}</td>
                    <td>
                      <span className={`status ${ok ? 'status-success' : 'status-revoked'}`}>
                        {ok
                          ? 'delivered'
                          : attempt.nextRetryAt
                            ? `retry ${when(attempt.nextRetryAt)}`
                            : 'failed'}
                      </span>
                    </td>
                    <td>{attempt.statusCode ?? attempt.error ?? '—'}</td>
                    <td>
                      {failedForGood && (
                        <button type="button" onClick={() => void resend(attempt.eventId)}>
                          Resend {attempt.eventId}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}

export function WebhooksPage() {
  const hooks = $api.useQuery('get', '/webhooks');
  const [event, setEvent] = useState<(typeof EVENTS)[number]>('pass.scanned');
  const [targetUrl, setTargetUrl] = useState('');
  const [created, setCreated] = useState<Schemas['CreatedWebhook']>();
  const [open, setOpen] = useState<string>();
  const action = useAction();
  const subscribe = useSubmit(async () => {
    const hook = await must(api.POST('/webhooks', { body: { event, targetUrl } }));
    setCreated(hook);
    setOpen(hook.id);
    setTargetUrl('');
  }, WORDS);
  const unsubscribe = (webhookId: string) =>
    action.act(() =>
      must(api.DELETE('/webhooks/{webhookId}', { params: { path: { webhookId } } })),
    );
  return (
    <>
      <h1>Webhooks</h1>
      <form onSubmit={subscribe.onSubmit} className="inline-form">
        <ErrorMessage error={subscribe.failure} />
        <Field id="hook-event" label="Event">
          {(aria) => (
            <select
              {...aria}
              value={event}
              onChange={(e) => setEvent(e.target.value as typeof event)}
            >
              {EVENTS.map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          )}
        </Field>
        <Field
          id="hook-url"
          label="Target URL (https://)"
          error={subscribe.fieldError('targetUrl')}
          hint="Your receiver's https:// address, reachable from the internet. One on this computer or its network (localhost, 192.168.…) is refused unless Passgate runs with WEBHOOK_ALLOW_PRIVATE=1, for development; or reach it through a tunnel (ngrok, cloudflared)."
        >
          {(aria) => (
            <input
              {...aria}
              type="url"
              required
              value={targetUrl}
              onChange={(e) => setTargetUrl(e.target.value)}
            />
          )}
        </Field>
        <button type="submit" disabled={subscribe.busy}>
          Subscribe
        </button>
      </form>
      {created && (
        <ShownOnce label={`Signing secret for ${created.targetUrl}`} value={created.secret} />
      )}
      <ErrorMessage error={hooks.error ?? action.error} />
      {hooks.data?.length === 0 && (
        <p className="empty">
          No subscriptions yet. Subscribe above, then send it a test event from its delivery log.
        </p>
      )}
      <ul className="cards">
        {hooks.data?.map((hook) => (
          <li key={hook.id} className="card">
            <p>
              <strong>{hook.event}</strong> → <code>{hook.targetUrl}</code>{' '}
              {!hook.active && <span className="mark">stopped (410 Gone)</span>}
            </p>
            <p className="row-actions">
              <button
                type="button"
                aria-expanded={open === hook.id}
                onClick={() => setOpen(open === hook.id ? undefined : hook.id)}
              >
                {open === hook.id ? 'Hide deliveries' : 'Show deliveries'}
              </button>
              <button type="button" className="danger" onClick={() => void unsubscribe(hook.id)}>
                Unsubscribe {hook.targetUrl}
              </button>
            </p>
            {open === hook.id && <DeliveryLog webhook={hook} />}
          </li>
        ))}
      </ul>
    </>
  );
}
