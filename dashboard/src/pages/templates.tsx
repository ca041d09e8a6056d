import { DEFAULT_COLOURS, DEFAULT_LAYOUT, PASS_FACTS, type PassFact } from '@passgate/shared';
import { useState } from 'react';
import { $api, api, must, type Schemas } from '../api';
import { mayCall, useSession } from '../session';
import { ErrorMessage, Field, useAction, useSubmit } from '../ui';
import type { FieldWords } from '../words';

type Template = Schemas['Template'];
type Layout = Template['layout'];
const ROWS = ['primary', 'secondary', 'auxiliary', 'back'] as const;
type Row = (typeof ROWS)[number] | 'hidden';
type ImageKind = 'logo' | 'strip';

const WORDS: FieldWords = {
  name: 'Name',
  organizationName: 'Organisation',
  description: 'Description',
  backgroundColor: 'Background',
  foregroundColor: 'Text',
  labelColor: 'Labels',
  layout: 'Layout',
  logo: 'Logo',
  strip: 'Strip',
  supportUrl: 'Help page',
  supportEmail: 'Help email',
  supportPhone: 'Help phone',
  termsUrl: 'Terms page',
};

const FACT_LABEL: Record<PassFact, string> = {
  name: 'Pass name',
  clientName: 'Holder',
  validFrom: 'Valid from',
  validUntil: 'Valid until',
  usesLeft: 'Uses left',
  location: 'Where',
  publicFields: 'Public custom fields',
};
const ROW_LABEL: Record<Row, string> = {
  primary: 'Big, at the top',
  secondary: 'Second row',
  auxiliary: 'Third row',
  back: 'On the back',
  hidden: 'Not shown',
};

/** What the preview shows of a pass: a made-up guest. */
const SAMPLE: Record<PassFact, string> = {
  name: 'Ada Lovelace',
  clientName: 'Analytical Engines Ltd',
  validFrom: '1 Jun, 18:00',
  validUntil: '1 Jun, 23:30',
  usesLeft: '4 of 5',
  location: 'Main hall',
  publicFields: 'Seat 12A',
};

interface Draft {
  name: string;
  organizationName: string;
  description: string;
  backgroundColor: string;
  foregroundColor: string;
  labelColor: string;
  rows: Record<PassFact, Row>;
  /** What shows: the kept image's address, a chosen file as a data: URL, or none. */
  logo: string | null;
  strip: string | null;
  changed: { logo: boolean; strip: boolean };
  supportUrl: string;
  supportEmail: string;
  termsUrl: string;
  isDefault: boolean;
}

const rowsOf = (layout: Layout): Record<PassFact, Row> =>
  Object.fromEntries(
    PASS_FACTS.map((fact) => [fact, ROWS.find((row) => layout[row].includes(fact)) ?? 'hidden']),
  ) as Record<PassFact, Row>;

const layoutOf = (rows: Record<PassFact, Row>): Layout => ({
  primary: PASS_FACTS.filter((fact) => rows[fact] === 'primary'),
  secondary: PASS_FACTS.filter((fact) => rows[fact] === 'secondary'),
  auxiliary: PASS_FACTS.filter((fact) => rows[fact] === 'auxiliary'),
  back: PASS_FACTS.filter((fact) => rows[fact] === 'back'),
});

const draftOf = (template?: Template): Draft => ({
  name: template?.name ?? '',
  organizationName: template?.organizationName ?? '',
  description: template?.description ?? '',
  backgroundColor: template?.backgroundColor ?? DEFAULT_COLOURS.backgroundColor,
  foregroundColor: template?.foregroundColor ?? DEFAULT_COLOURS.foregroundColor,
  labelColor: template?.labelColor ?? DEFAULT_COLOURS.labelColor,
  rows: rowsOf(template?.layout ?? DEFAULT_LAYOUT),
  logo: template?.logoUrl ?? null,
  strip: template?.stripUrl ?? null,
  changed: { logo: false, strip: false },
  supportUrl: template?.supportUrl ?? '',
  supportEmail: template?.supportEmail ?? '',
  termsUrl: template?.termsUrl ?? '',
  isDefault: template?.isDefault ?? false,
});

/** The body of PATCH /templates/{id}: images only where one was chosen or taken away. */
const changesOf = (draft: Draft) => ({
  name: draft.name,
  organizationName: draft.organizationName.trim() || undefined,
  description: draft.description.trim() || undefined,
  backgroundColor: draft.backgroundColor,
  foregroundColor: draft.foregroundColor,
  labelColor: draft.labelColor,
  layout: layoutOf(draft.rows),
  ...(draft.changed.logo ? { logo: draft.logo } : {}),
  ...(draft.changed.strip ? { strip: draft.strip } : {}),
  supportUrl: draft.supportUrl.trim() || null,
  supportEmail: draft.supportEmail.trim() || null,
  termsUrl: draft.termsUrl.trim() || null,
  isDefault: draft.isDefault,
});

/** The body of POST /templates: what the draft says, nothing for what it leaves empty. */
const newTemplateOf = (draft: Draft) =>
  Object.fromEntries(
    Object.entries(changesOf(draft)).filter(([, value]) => value !== null && value !== undefined),
  ) as Schemas['CreateTemplate'];

/** The pass as a wallet card: the draft's colours, images and layout, on a made-up guest. */
export function WalletCard({ draft, label }: { draft: Draft; label: string }) {
  const layout = layoutOf(draft.rows);
  const fact = (which: PassFact) => (
    <div key={which} className="wallet-fact">
      <span style={{ color: draft.labelColor }}>{FACT_LABEL[which]}</span>
      <span>{SAMPLE[which]}</span>
    </div>
  );
  return (
    <figure
      className="wallet-card"
      aria-label={label}
      style={{ background: draft.backgroundColor, color: draft.foregroundColor }}
    >
      <div className="wallet-head">
        {draft.logo ? <img src={draft.logo} alt="" className="wallet-logo" /> : null}
        <span>{draft.organizationName || 'Your organisation'}</span>
      </div>
      {draft.strip ? <img src={draft.strip} alt="" className="wallet-strip" /> : null}
      <div className="wallet-primary">{layout.primary.map(fact)}</div>
      <div className="wallet-row">{layout.secondary.map(fact)}</div>
      <div className="wallet-row">{layout.auxiliary.map(fact)}</div>
      <div className="wallet-qr" aria-hidden="true" />
      {layout.back.length > 0 && (
        <figcaption>On the back: {layout.back.map((f) => FACT_LABEL[f]).join(', ')}</figcaption>
      )}
    </figure>
  );
}

const readAsDataUrl = (file: File) =>
  new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });

/** A template's look and layout, with a live preview beside it: to add one or to change one. */
function TemplateForm(props: {
  id: string;
  initial: Draft;
  submitLabel: string;
  onSubmit: (draft: Draft) => Promise<void>;
}) {
  const [draft, setDraft] = useState(props.initial);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) =>
    setDraft((previous) => ({ ...previous, [key]: value }));
  const { onSubmit, busy, failure, fieldError } = useSubmit(() => props.onSubmit(draft), WORDS);
  const id = (field: string) => `${props.id}-${field}`;
  const text = (
    key: 'name' | 'organizationName' | 'description' | 'supportUrl' | 'supportEmail' | 'termsUrl',
    label: string,
    type = 'text',
  ) => (
    <Field id={id(key)} label={label} error={fieldError(key)}>
      {(aria) => (
        <input
          {...aria}
          type={type}
          required={key === 'name'}
          value={draft[key]}
          onChange={(e) => set(key, e.target.value)}
        />
      )}
    </Field>
  );
  const colour = (key: 'backgroundColor' | 'foregroundColor' | 'labelColor') => (
    <Field id={id(key)} label={WORDS[key] ?? key} error={fieldError(key)}>
      {(aria) => (
        <input
          {...aria}
          type="color"
          value={draft[key]}
          onChange={(e) => set(key, e.target.value)}
        />
      )}
    </Field>
  );
  const image = (kind: ImageKind) => (
    <Field id={id(kind)} label={`${WORDS[kind]} (PNG, up to 512 KB)`} error={fieldError(kind)}>
      {(aria) => (
        <span className="image-choice">
          <input
            {...aria}
            type="file"
            accept="image/png"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (!file) return;
              const url = await readAsDataUrl(file);
              setDraft((previous) => ({
                ...previous,
                [kind]: url,
                changed: { ...previous.changed, [kind]: true },
              }));
            }}
          />
          {draft[kind] && (
            <button
              type="button"
              onClick={() =>
                setDraft((previous) => ({
                  ...previous,
                  [kind]: null,
                  changed: { ...previous.changed, [kind]: true },
                }))
              }
            >
              Remove the {kind}
            </button>
          )}
        </span>
      )}
    </Field>
  );
  return (
    <div className="template-editor">
      <form onSubmit={onSubmit} className="inline-form">
        <ErrorMessage error={failure} />
        {text('name', 'Name')}
        {text('organizationName', 'Organisation')}
        {text('description', 'Description')}
        {colour('backgroundColor')}
        {colour('foregroundColor')}
        {colour('labelColor')}
        {image('logo')}
        {image('strip')}
        <fieldset>
          <legend>Layout{fieldError('layout') ? `: ${fieldError('layout')}` : ''}</legend>
          {PASS_FACTS.map((fact) => (
            <Field key={fact} id={id(`row-${fact}`)} label={FACT_LABEL[fact]}>
              {(aria) => (
                <select
                  {...aria}
                  value={draft.rows[fact]}
                  onChange={(e) => set('rows', { ...draft.rows, [fact]: e.target.value as Row })}
                >
                  {(['primary', 'secondary', 'auxiliary', 'back', 'hidden'] as const).map((row) => (
                    <option key={row} value={row}>
                      {ROW_LABEL[row]}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          ))}
        </fieldset>
        {text('supportUrl', 'Help page', 'url')}
        {text('supportEmail', 'Help email', 'email')}
        {text('termsUrl', 'Terms page', 'url')}
        <label className="inline">
          <input
            type="checkbox"
            checked={draft.isDefault}
            onChange={(e) => set('isDefault', e.target.checked)}
          />{' '}
          Passes without a template wear this one
        </label>
        <button type="submit" disabled={busy}>
          {props.submitLabel}
        </button>
      </form>
      <WalletCard draft={draft} label={`Preview of ${draft.name || 'the new template'}`} />
    </div>
  );
}

function TemplateItem({ template, mayWrite }: { template: Template; mayWrite: boolean }) {
  const { act, error, busy } = useAction();
  return (
    <li data-template={template.id}>
      <h2>
        {template.name}
        {template.isDefault && <span className="badge"> default</span>}
        {template.archivedAt && <span className="badge"> archived</span>}
      </h2>
      <WalletCard draft={draftOf(template)} label={`Preview of ${template.name}`} />
      {mayWrite && (
        <>
          <ErrorMessage error={error} />
          <details className="edit">
            <summary>Edit {template.name}</summary>
            <TemplateForm
              id={`edit-${template.id}`}
              initial={draftOf(template)}
              submitLabel="Save"
              onSubmit={async (draft) => {
                await must(
                  api.PATCH('/templates/{templateId}', {
                    params: { path: { templateId: template.id } },
                    body: changesOf(draft),
                  }),
                );
              }}
            />
          </details>
          {!template.archivedAt && (
            <button
              type="button"
              disabled={busy}
              onClick={() => {
                if (confirm(`Archive ${template.name}? No new pass may wear it.`)) {
                  void act(() =>
                    must(
                      api.POST('/templates/{templateId}/archive', {
                        params: { path: { templateId: template.id } },
                      }),
                    ),
                  );
                }
              }}
            >
              Archive
            </button>
          )}
        </>
      )}
    </li>
  );
}

/** The tenant's templates in use (the first hundred), for the pass form. */
export const useTemplatesInUse = () =>
  $api.useQuery('get', '/templates', { params: { query: { archived: 'false', limit: 100 } } });

export function TemplatesPage() {
  const { me } = useSession();
  const mayWrite = mayCall(me, 'createTemplate');
  const templates = $api.useQuery('get', '/templates', { params: { query: { limit: 100 } } });
  const [adding, setAdding] = useState(0);
  return (
    <>
      <h1>Templates</h1>
      <p className="hint">How passes look: on the holder’s page, and in their wallet.</p>
      {mayWrite && (
        <details className="add">
          <summary>Add a template</summary>
          <TemplateForm
            key={adding}
            id="new-template"
            initial={draftOf()}
            submitLabel="Add template"
            onSubmit={async (draft) => {
              await must(api.POST('/templates', { body: newTemplateOf(draft) }));
              setAdding((n) => n + 1);
            }}
          />
        </details>
      )}
      <ErrorMessage error={templates.error} />
      {templates.data?.length === 0 && (
        <p className="empty">No templates yet: passes show plainly until one is added.</p>
      )}
      <ul className="templates">
        {templates.data?.map((template) => (
          <TemplateItem key={template.id} template={template} mayWrite={mayWrite} />
        ))}
      </ul>
    </>
  );
}
