import type { Bundle, ZObject } from 'zapier-platform-core';
import { api, given, idempotencyKey } from './http';
import { clientSample, passSample } from './samples';

type Input = Record<string, unknown>;

/** A whole number Zapier may hand over as text; empty is left out. */
const wholeNumber = (value: unknown) =>
  value === undefined || value === null || value === '' ? undefined : Number(value);

/** Zapier's yes and no, as text or as a boolean. */
const yes = (value: unknown) => value === true || /^(true|yes|1)$/i.test(String(value ?? ''));

/** The custom fields of a pass, from Zapier's line items: `key`, `value`, `isPublic`. */
function customFields(value: unknown) {
  if (!Array.isArray(value)) return undefined;
  return value
    .filter((field: Input) => field?.key)
    .map((field: Input) => ({
      key: String(field.key),
      value: String(field.value ?? ''),
      isPublic: yes(field.isPublic),
    }));
}

/** What a pass may be given or changed by, as `POST /passes` and `PATCH /passes/{id}` take it. */
function passBody(input: Input) {
  return given({
    type: input.type,
    name: input.name,
    note: input.note,
    clientName: input.clientName,
    maxUsages: wholeNumber(input.maxUsages),
    validFrom: input.validFrom,
    validUntil: input.validUntil,
    customFields: customFields(input.customFields),
    templateId: input.templateId,
    locationId: input.locationId,
  });
}

const passFields = [
  { key: 'name', label: 'Name', helpText: "The pass's label, such as the holder's name." },
  {
    key: 'note',
    label: 'Note',
    type: 'text',
    helpText: 'An internal note, never shown to the holder.',
  },
  {
    key: 'maxUsages',
    label: 'Maximum Uses',
    type: 'integer',
    helpText: 'For a multi pass: how many times it admits. Empty: without a limit.',
  },
  { key: 'validFrom', label: 'Valid From', type: 'datetime' },
  { key: 'validUntil', label: 'Valid Until', type: 'datetime' },
  {
    key: 'customFields',
    label: 'Custom Fields',
    children: [
      { key: 'key', label: 'Field Name' },
      { key: 'value', label: 'Value' },
      { key: 'isPublic', label: 'Shown on the Pass Page', type: 'boolean' },
    ],
  },
  {
    key: 'templateId',
    label: 'Template',
    dynamic: 'templates_list.id.name',
    helpText: "How the pass looks. Empty: the tenant's default.",
  },
  {
    key: 'locationId',
    label: 'Location',
    dynamic: 'locations_list.id.name',
    helpText: 'Where the pass admits. Empty: at every door.',
  },
];

/** The pass to act on, picked from a search (or typed as its id). */
const passIdField = {
  key: 'passId',
  label: 'Pass',
  required: true,
  search: 'find_pass.id',
  dynamic: 'passes_list.id.name',
  helpText: "The pass's id (`pass_…`), or find it by its code or name.",
};

const postPass = (path: string, action: string) => async (z: ZObject, bundle: Bundle) => {
  const id = encodeURIComponent(String(bundle.inputData.passId));
  const response = await api(z, bundle, `/passes/${id}/${path}`, {
    method: 'POST',
    headers: { 'idempotency-key': idempotencyKey(bundle, action) },
  });
  return response.data;
};

export const creates = {
  create_pass: {
    key: 'create_pass',
    noun: 'Pass',
    display: {
      label: 'Create Pass',
      description: 'Issues a pass: a ticket, guest pass or membership with its own QR code.',
    },
    operation: {
      inputFields: [
        {
          key: 'type',
          label: 'Type',
          required: true,
          choices: { single: 'Single (admits once)', multi: 'Multi (admits many times)' },
          default: 'single',
        },
        {
          key: 'clientName',
          label: 'Client Name',
          helpText: "The holder: attached to the tenant's client of that name, or a new one.",
        },
        ...passFields,
      ],
      perform: async (z: ZObject, bundle: Bundle) => {
        const response = await api(z, bundle, '/passes', {
          method: 'POST',
          headers: { 'idempotency-key': idempotencyKey(bundle, 'create_pass') },
          body: passBody(bundle.inputData),
        });
        return response.data;
      },
      sample: passSample,
    },
  },
  update_pass: {
    key: 'update_pass',
    noun: 'Pass',
    display: {
      label: 'Update Pass',
      description: "Changes a pass's name, note, uses, dates, custom fields, template or location.",
    },
    operation: {
      inputFields: [passIdField, ...passFields],
      perform: async (z: ZObject, bundle: Bundle) => {
        const { passId, ...changes } = bundle.inputData;
        const response = await api(z, bundle, `/passes/${encodeURIComponent(String(passId))}`, {
          method: 'PATCH',
          body: passBody(changes),
        });
        return response.data;
      },
      sample: passSample,
    },
  },
  revoke_pass: {
    key: 'revoke_pass',
    noun: 'Pass',
    display: {
      label: 'Revoke Pass',
      description: 'Revokes a pass: no door admits it until it is activated again.',
    },
    operation: {
      inputFields: [passIdField],
      perform: postPass('revoke', 'revoke_pass'),
      sample: {
        id: passSample.id,
        code: passSample.code,
        name: passSample.name,
        status: 'revoked',
      },
    },
  },
  activate_pass: {
    key: 'activate_pass',
    noun: 'Pass',
    display: { label: 'Activate Pass', description: 'Activates a revoked pass again.' },
    operation: {
      inputFields: [passIdField],
      perform: postPass('activate', 'activate_pass'),
      sample: { id: passSample.id, code: passSample.code, name: passSample.name, status: 'active' },
    },
  },
  create_client: {
    key: 'create_client',
    noun: 'Client',
    display: { label: 'Create Client', description: 'Adds a client: a holder of passes.' },
    operation: {
      inputFields: [
        {
          key: 'name',
          label: 'Name',
          required: true,
          helpText: 'Unique in the tenant, whatever its case and accents.',
        },
        { key: 'email', label: 'Email' },
        { key: 'phone', label: 'Phone' },
        { key: 'notes', label: 'Notes', type: 'text' },
      ],
      perform: async (z: ZObject, bundle: Bundle) => {
        const { name, email, phone, notes } = bundle.inputData;
        const response = await api(z, bundle, '/clients', {
          method: 'POST',
          headers: { 'idempotency-key': idempotencyKey(bundle, 'create_client') },
          body: given({ name, email, phone, notes }),
        });
        return response.data;
      },
      sample: clientSample,
    },
  },
};
