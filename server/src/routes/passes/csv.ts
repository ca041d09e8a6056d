import { type CustomField, EXPORT_FIELDS } from '@passgate/shared';
import type { SignablePass } from '@passgate/shared/core';
import { stringify } from 'csv-stringify/sync';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema';
import { type PassWithClient, presentFields, signableOf } from '../../domain/passes/present';
import { filterPasses, type PassFilters } from './queries';

// A CSV export: the pass's fields by their names in the API (`EXPORT_FIELDS`), then a column for
// each custom field the exported passes have, `field:NAME` or `public:NAME` as an import names
// them. An import (csv-import.ts) reads every column back but the server's own.

/**
 * The columns of an export before its custom fields, in order: the fields, then the pass's
 * signed code (what its QR carries), which an import reads past as it does the code.
 */
export const EXPORT_COLUMNS = [...Object.keys(EXPORT_FIELDS), 'signedCode'];

/**
 * A column of custom fields: the `nth` field (from 0) of this key and visibility of each pass. A
 * pass may have one key twice, which takes two columns of the same name, as an import reads them.
 */
export interface FieldColumn {
  key: string;
  isPublic: boolean;
  nth: number;
}

/** A custom field column's header, as the import reads it. */
export const fieldHeader = ({ key, isPublic }: Pick<CustomField, 'key' | 'isPublic'>) =>
  `${isPublic ? 'public' : 'field'}:${key}`;

/**
 * The custom field columns of the passes the filters match: one per key and visibility, as many
 * as a pass has most, ordered by key (private first) so that two exports of the same passes have
 * the same header.
 */
export async function fieldColumnsOf(
  db: Kysely<Database>,
  tenantId: string,
  filters: PassFilters,
  now: Date,
): Promise<FieldColumn[]> {
  const passes = filterPasses(db, tenantId, filters, now)
    .clearSelect()
    .select(['passes.id', 'passes.fields'])
    .where(sql<boolean>`passes.fields <> '[]'::jsonb`);
  const { rows } = await sql<{ key: string; is_public: boolean; columns: number }>`
    SELECT key, is_public, max(n)::int AS columns
      FROM (SELECT field->>'key' AS key, (field->>'isPublic')::boolean AS is_public, count(*) AS n
              FROM (${passes}) AS p, jsonb_array_elements(p.fields) AS field
             GROUP BY p.id, 1, 2) AS per_pass
     GROUP BY key, is_public`.execute(db);
  return rows
    .sort((a, b) =>
      a.key === b.key ? Number(a.is_public) - Number(b.is_public) : a.key < b.key ? -1 : 1,
    )
    .flatMap(({ key, is_public, columns }) =>
      Array.from({ length: columns }, (_, nth) => ({ key, isPublic: is_public, nth })),
    );
}

/**
 * A cell a spreadsheet would run as a formula (`=cmd|…`, `+`, `-`, `@`, and a leading tab or
 * carriage return, as OWASP lists them) is written with a leading `'`, which makes it text; so is
 * one that starts so after apostrophes, so that an import, taking one `'` off such a cell
 * (`plainCell`), reads back exactly what was exported.
 */
export function inertCell(value: string): string {
  return /^'*[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** A cell as an export of it was meant: `inertCell` undone. */
export function plainCell(cell: string): string {
  return /^'+[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

/** CSV lines (with the header first when `header`) for a page of passes. */
export function exportLines(
  passes: PassWithClient[],
  fieldColumns: readonly FieldColumn[],
  at: { publicUrl: string; now: Date; sign: (pass: SignablePass) => string | null },
  header: boolean,
): string {
  const rows = passes.map((pass) => [
    ...Object.values(presentFields(EXPORT_FIELDS, pass, at)).map((value) =>
      value === null ? '' : String(value),
    ),
    at.sign(signableOf(pass)) ?? '',
    ...fieldColumns.map(
      ({ key, isPublic, nth }) =>
        pass.fields.filter((field) => field.key === key && field.isPublic === isPublic)[nth]
          ?.value ?? '',
    ),
  ]);
  const cells = rows.map((row) => row.map(inertCell));
  const names = [...EXPORT_COLUMNS, ...fieldColumns.map(fieldHeader)];
  return stringify(header ? [names, ...cells] : cells, { eof: true });
}
