import { useState } from 'react';
import type { Schemas } from '../api';
import { ErrorMessage, Field, useSubmit } from '../ui';
import type { FieldWords } from '../words';
import { useLocationsInUse } from './locations';
import { useTemplatesInUse } from './templates';

/** The API's fields as this form names them, for its errors. */
const WORDS: FieldWords = {
  type: 'Type',
  name: "Holder's name",
  clientName: 'Client',
  maxUsages: 'Uses allowed',
  validFrom: 'Valid from',
  validUntil: 'Valid until',
  templateId: 'Template',
  locationId: 'Location',
  note: 'Note',
  customFields: 'Custom fields',
};

type Pass = Schemas['Pass'];
type CustomField = Schemas['CustomField'];

/** What the form holds: text as typed, turned into the API's body on submit. */
interface Draft {
  type: 'single' | 'multi';
  name: string;
  note: string;
  clientName: string;
  maxUsages: string;
  validFrom: string;
  validUntil: string;
  templateId: string;
  locationId: string;
  fields: { key: string; value: string; isPublic: boolean }[];
}

/** `2026-12-03T18:00` in the browser's zone, as `<input type="datetime-local">` shows it. */
const toLocalInput = (iso: string | null) => {
  if (!iso) return '';
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocalInput = (value: string) => (value ? new Date(value).toISOString() : null);

export function draftOf(pass?: Pass): Draft {
  return {
    type: pass?.type ?? 'single',
    name: pass?.name ?? '',
    note: pass?.note ?? '',
    clientName: '',
    maxUsages:
      pass?.maxUsages === null || pass?.maxUsages === undefined ? '' : String(pass.maxUsages),
    validFrom: toLocalInput(pass?.validFrom ?? null),
    validUntil: toLocalInput(pass?.validUntil ?? null),
    templateId: pass?.templateId ?? '',
    locationId: pass?.locationId ?? '',
    fields: (pass?.fields ?? []).map((field) => ({ ...field, isPublic: field.isPublic ?? false })),
  };
}

/** The body of POST /passes or PATCH /passes/{id} that the draft says. */
export function bodyOf(draft: Draft, creating: boolean) {
  const fields: CustomField[] = draft.fields
    .filter((field) => field.key.trim() || field.value)
    .map((field) => ({ key: field.key.trim(), value: field.value, isPublic: field.isPublic }));
  const maxUsages = draft.type === 'multi' && draft.maxUsages ? Number(draft.maxUsages) : null;
  const common = {
    name: draft.name.trim() || null,
    note: draft.note || null,
    maxUsages,
    validFrom: fromLocalInput(draft.validFrom),
    validUntil: fromLocalInput(draft.validUntil),
    customFields: fields,
  };
  if (!creating) {
    return {
      ...common,
      locationId: draft.locationId.trim() || null,
      templateId: draft.templateId.trim() || null,
    };
  }
  return {
    ...common,
    type: draft.type,
    name: common.name ?? undefined,
    note: common.note ?? undefined,
    ...(draft.clientName.trim() ? { clientName: draft.clientName.trim() } : {}),
    ...(draft.templateId.trim() ? { templateId: draft.templateId.trim() } : {}),
    ...(draft.locationId.trim() ? { locationId: draft.locationId.trim() } : {}),
  };
}

export function PassForm(props: {
  initial: Draft;
  creating: boolean;
  submitLabel: string;
  onSubmit: (draft: Draft) => Promise<void>;
}) {
  const [draft, setDraft] = useState(props.initial);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) =>
    setDraft((previous) => ({ ...previous, [key]: value }));
  const locations = useLocationsInUse();
  // A pass may keep a location archived since: offered, so that saving does not move it.
  const own = props.initial.locationId;
  const kept = own && locations.data && !locations.data.some(({ id }) => id === own) ? own : '';
  const templates = useTemplatesInUse();
  const ownTemplate = props.initial.templateId;
  const keptTemplate =
    ownTemplate && templates.data && !templates.data.some(({ id }) => id === ownTemplate)
      ? ownTemplate
      : '';
  const { onSubmit, busy, failure, fieldError } = useSubmit(async () => {
    // Passes are never deleted (scans and events name them), only revoked: one made by a stray
    // click, with nothing to find it by, would stay in the list for good.
    if (props.creating && !draft.name.trim() && !draft.clientName.trim()) {
      throw new Error("Give the holder's name or a client, so the pass can be found again");
    }
    await props.onSubmit(draft);
  }, WORDS);
  const setField = (index: number, change: Partial<Draft['fields'][number]>) =>
    set(
      'fields',
      draft.fields.map((field, i) => (i === index ? { ...field, ...change } : field)),
    );
  return (
    <form onSubmit={onSubmit} className="pass-form">
      <ErrorMessage error={failure} />
      {props.creating && (
        <fieldset>
          <legend>Type</legend>
          {(['single', 'multi'] as const).map((type) => (
            <label key={type} className="inline">
              <input
                type="radio"
                name="type"
                value={type}
                checked={draft.type === type}
                onChange={() => set('type', type)}
              />{' '}
              {type === 'single' ? 'Single use (a ticket)' : 'Multi use (a membership)'}
            </label>
          ))}
        </fieldset>
      )}
      <Field id="pass-name" label="Holder's name" error={fieldError('name')}>
        {(aria) => (
          <input {...aria} value={draft.name} onChange={(e) => set('name', e.target.value)} />
        )}
      </Field>
      {props.creating && (
        <Field
          id="pass-client"
          label="Client"
          hint="The client it belongs to: found by name, or created"
          error={fieldError('clientName')}
        >
          {(aria) => (
            <input
              {...aria}
              value={draft.clientName}
              onChange={(e) => set('clientName', e.target.value)}
            />
          )}
        </Field>
      )}
      {draft.type === 'multi' && (
        <Field
          id="pass-max"
          label="Uses allowed"
          hint="Empty: no limit"
          error={fieldError('maxUsages')}
        >
          {(aria) => (
            <input
              {...aria}
              inputMode="numeric"
              value={draft.maxUsages}
              onChange={(e) => set('maxUsages', e.target.value)}
            />
          )}
        </Field>
      )}
      <Field id="pass-from" label="Valid from" error={fieldError('validFrom')}>
        {(aria) => (
          <input
            {...aria}
            type="datetime-local"
            value={draft.validFrom}
            onChange={(e) => set('validFrom', e.target.value)}
          />
        )}
      </Field>
      <Field id="pass-until" label="Valid until" error={fieldError('validUntil')}>
        {(aria) => (
          <input
            {...aria}
            type="datetime-local"
            value={draft.validUntil}
            onChange={(e) => set('validUntil', e.target.value)}
          />
        )}
      </Field>
      <Field id="pass-template" label="Template" error={fieldError('templateId')}>
        {(aria) => (
          <select
            {...aria}
            value={draft.templateId}
            onChange={(e) => set('templateId', e.target.value)}
          >
            <option value="">The default look</option>
            {keptTemplate && (
              <option value={keptTemplate}>The pass's own template (archived)</option>
            )}
            {templates.data?.map((template) => (
              <option key={template.id} value={template.id}>
                {template.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="pass-location" label="Location" error={fieldError('locationId')}>
        {(aria) => (
          <select
            {...aria}
            value={draft.locationId}
            onChange={(e) => set('locationId', e.target.value)}
          >
            <option value="">Every location</option>
            {kept && <option value={kept}>The pass's own location (archived)</option>}
            {locations.data?.map((location) => (
              <option key={location.id} value={location.id}>
                {location.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="pass-note" label="Note (staff only)" error={fieldError('note')}>
        {(aria) => (
          <textarea {...aria} value={draft.note} onChange={(e) => set('note', e.target.value)} />
        )}
      </Field>
      <fieldset>
        <legend>Custom fields</legend>
        {draft.fields.map((field, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no id until saved
          <div className="custom-field" key={index}>
            <label>
              Name
              <input value={field.key} onChange={(e) => setField(index, { key: e.target.value })} />
            </label>
            <label>
              Value
              <input
                value={field.value}
                onChange={(e) => setField(index, { value: e.target.value })}
              />
            </label>
            <label className="inline">
              <input
                type="checkbox"
                checked={field.isPublic}
                onChange={(e) => setField(index, { isPublic: e.target.checked })}
              />{' '}
              Shown on the holder's page
            </label>
            <button
              type="button"
              onClick={() =>
                set(
                  'fields',
                  draft.fields.filter((_, i) => i !== index),
                )
              }
            >
              Remove field {index + 1}
            </button>
          </div>
        ))}
        {fieldError('customFields') && <p className="field-error">{fieldError('customFields')}</p>}
        <button
          type="button"
          onClick={() => set('fields', [...draft.fields, { key: '', value: '', isPublic: false }])}
        >
          Add a field
        </button>
      </fieldset>
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : props.submitLabel}
      </button>
    </form>
  );
}
