import { $api } from '../api';
import { isAdmin, useSession } from '../session';
import { ErrorMessage } from '../ui';

export function AccountPage() {
  const { me } = useSession();
  const account = $api.useQuery('get', '/account');
  // Each key's limit, for an admin signed in (not for a key, which sees only itself).
  const keys = $api.useQuery(
    'get',
    '/keys',
    { params: { query: { limit: 100 } } },
    { enabled: isAdmin(me) && me?.user !== undefined },
  );
  const a = account.data;
  return (
    <>
      <h1>Account</h1>
      <ErrorMessage error={account.error ?? keys.error} />
      {a && (
        <dl className="facts">
          <dt>Tenant</dt>
          <dd>{a.tenant.name}</dd>
          <dt>Plan</dt>
          <dd>{a.tenant.plan}</dd>
          <dt>Passes</dt>
          <dd>
            {a.passes.count.toLocaleString()}
            {a.passes.limit !== null ? ` of ${a.passes.limit.toLocaleString()}` : ' (no limit)'}
            {a.passes.limit !== null && (
              <meter
                min={0}
                max={a.passes.limit}
                value={a.passes.count}
                aria-label="Passes used of the limit"
              />
            )}
          </dd>
          <dt>Webhook subscriptions</dt>
          <dd>
            {a.webhooks.count} of {a.webhooks.quota}
          </dd>
          <dt>Rate limits (requests a minute)</dt>
          <dd>
            A key: {a.rateLimits.core} on passes, clients and scans, {a.rateLimits.webhooks} on
            webhooks and triggers. You, signed in: {a.rateLimits.user}.
          </dd>
        </dl>
      )}
      {keys.data && keys.data.length > 0 && (
        <>
          <h2>Each key's limit</h2>
          <ul>
            {keys.data
              .filter((key) => !key.revokedAt)
              .map((key) => (
                <li key={key.id}>
                  <code>{key.prefix}…</code> ({key.scope}): {key.rateLimit} a minute
                </li>
              ))}
          </ul>
        </>
      )}
    </>
  );
}
