import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { $api, api, must, type Schemas } from '../api';
import { CopyButton, ErrorMessage, Status, useAction, when } from '../ui';
import { bodyOf, draftOf, PassForm } from './pass-form';
import { ScanTable } from './scans';

/** The QR a door scans, as the holder's page shows it: the signed code, else the plain one. */
function PassQr({ code, text }: { code: string; text: string }) {
  const [src, setSrc] = useState<string>();
  useEffect(() => {
    void QRCode.toDataURL(text, { margin: 2, width: 220 }).then(setSrc);
  }, [text]);
  return src ? <img className="qr" src={src} alt={`QR code of pass ${code}`} /> : null;
}

/** Where the holder keeps the pass: "On 2 phones in Apple Wallet · saved to Google Wallet". */
function walletsText(wallets: Schemas['PassWallets']) {
  const said = [
    ...(wallets.apple.configured
      ? [
          wallets.apple.phones === 0
            ? 'in no Apple Wallet yet'
            : `on ${wallets.apple.phones} ${wallets.apple.phones === 1 ? 'phone' : 'phones'} in Apple Wallet`,
        ]
      : []),
    ...(wallets.google.configured
      ? [wallets.google.saved ? 'saved to Google Wallet' : 'not saved to Google Wallet']
      : []),
  ].join(' · ');
  return said.charAt(0).toUpperCase() + said.slice(1);
}

export function PassPage({ id }: { id: string }) {
  const pass = $api.useQuery('get', '/passes/{passId}', { params: { path: { passId: id } } });
  const scans = $api.useQuery('get', '/scans', { params: { query: { passId: id, limit: 50 } } });
  const wallets = $api.useQuery('get', '/passes/{passId}/wallets', {
    params: { path: { passId: id } },
  });
  const [editing, setEditing] = useState(false);
  const action = useAction();
  if (pass.error) return <ErrorMessage error={pass.error} />;
  if (!pass.data) return <p>Loading…</p>;
  const p: Schemas['Pass'] = pass.data;
  const setStatus = (what: 'revoke' | 'activate') =>
    action.act(() =>
      must(api.POST(`/passes/{passId}/${what}`, { params: { path: { passId: id } } })),
    );
  return (
    <>
      <div className="page-head">
        <h1>
          Pass <code>{p.code}</code>
        </h1>
        <Status status={p.status} />
      </div>
      <ErrorMessage error={action.error} />
      <div className="pass-summary">
        <PassQr code={p.code} text={p.signedCode ?? p.code} />
        <dl>
          <dt>Holder</dt>
          <dd>{p.name ?? '—'}</dd>
          <dt>Client</dt>
          <dd>{p.client?.name ?? '—'}</dd>
          <dt>Type</dt>
          <dd>{p.type}</dd>
          <dt>Uses</dt>
          <dd>
            {p.usagesCount}
            {p.maxUsages !== null ? ` of ${p.maxUsages}` : ''}
          </dd>
          <dt>Valid</dt>
          <dd>
            {p.validFrom || p.validUntil
              ? `${p.validFrom ? `from ${when(p.validFrom)}` : ''} ${p.validUntil ? `until ${when(p.validUntil)}` : ''}`.trim()
              : 'Any time'}
          </dd>
          <dt>Public page</dt>
          <dd>
            <a href={p.publicUrl} target="_blank" rel="noreferrer">
              {p.publicUrl}
            </a>{' '}
            <CopyButton text={p.publicUrl} label="Copy link" />
          </dd>
          {wallets.data && (wallets.data.apple.configured || wallets.data.google.configured) && (
            <div className="dl-row">
              <dt>Wallets</dt>
              <dd>{walletsText(wallets.data)}</dd>
            </div>
          )}
          {p.fields.map((field) => (
            <div key={field.key} className="dl-row">
              <dt>{field.key}</dt>
              <dd>
                {field.value} {field.isPublic ? '' : <small>(staff only)</small>}
              </dd>
            </div>
          ))}
        </dl>
      </div>
      <div className="actions">
        {p.status === 'revoked' ? (
          <button type="button" onClick={() => void setStatus('activate')}>
            Activate
          </button>
        ) : (
          <button type="button" className="danger" onClick={() => void setStatus('revoke')}>
            Revoke
          </button>
        )}
        <button type="button" onClick={() => setEditing(!editing)} aria-expanded={editing}>
          {editing ? 'Close the editor' : 'Edit'}
        </button>
      </div>
      {editing && (
        <section aria-labelledby="edit-heading">
          <h2 id="edit-heading">Edit</h2>
          <PassForm
            initial={draftOf(p)}
            creating={false}
            submitLabel="Save"
            onSubmit={async (draft) => {
              await must(
                api.PATCH('/passes/{passId}', {
                  params: { path: { passId: id } },
                  body: bodyOf(draft, false),
                }),
              );
              setEditing(false);
            }}
          />
        </section>
      )}
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">Scan history</h2>
        <ErrorMessage error={scans.error} />
        {scans.data && <ScanTable scans={scans.data} />}
      </section>
    </>
  );
}
