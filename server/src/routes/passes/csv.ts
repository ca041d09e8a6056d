import { CreatePassBody, EXPORT_FIELDS, PASS_TYPES } from '@passgate/shared';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { type PassWithClient, presentFields } from '../../domain/passes/present';
import { ruleColumnsOf, validityProblem } from './queries';

/** The columns of an export, in order: the pass's fields by their names in the API. */
export const EXPORT_COLUMNS = Object.keys(EXPORT_FIELDS);

/**
 * A data row's number as a spreadsheet shows it, the header being row 1: the first data row is
 * row 2, so a problem names the row the person sees.
 */
const sheetRow = (index: number) => index + 2;

/** An import holds at most this many passes: one transaction, all or nothing. */
export const MAX_IMPORT_ROWS = 10_000;

/**
 * A cell a spreadsheet would run as a formula (`=cmd|…`, `+`, `-`, `@`, and a leading tab or
 * carriage return, as OWASP lists them) is written with a leading `'`, which makes it text.
 */
export function inertCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** CSV lines (with the header first when `header`) for a page of passes. */
export function exportLines(
  passes: PassWithClient[],
  publicUrl: string,
  now: Date,
  header: boolean,
): string {
  const rows = passes.map((pass) =>
    Object.values(presentFields(EXPORT_FIELDS, pass, { now, publicUrl })).map((value) =>
      inertCell(value === null ? '' : String(value)),
    ),
  );
  return stringify(header ? [[...EXPORT_COLUMNS], ...rows] : rows, { eof: true });
}

/** The columns an import may have; `field:NAME` and `public:NAME` make custom fields. */
const IMPORT_COLUMNS = [
  'type',
  'name',
  'note',
  'clientName',
  'maxUsages',
  'validFrom',
  'validUntil',
];
export const IMPORT_EXAMPLE = stringify(
  [
    [...IMPORT_COLUMNS, 'public:Seat', 'field:Dietary needs'],
    ['single', 'Ana Lima', '', 'Acme Ltd', '', '2026-12-31', '2026-12-31', 'B12', 'vegetarian'],
    ['multi', 'Bo Chen', 'Season pass', '', '10', '', '2027-06-30', '', ''],
  ],
  { eof: true },
);

export interface ImportProblem {
  /** The row's number as a spreadsheet shows it (the header is 1, the first pass 2); 0: the file. */
  row: number;
  error: string;
}

/**
 * The passes a CSV describes, each checked by the same schema as `POST /passes`; or every
 * problem, each naming its row, and how many pass rows were read. A malformed file or header is
 * one problem at row 0.
 */
export function parseImport(
  text: string,
): { ok: true; passes: CreatePassBody[] } | { ok: false; problems: ImportProblem[]; rows: number } {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false });
  } catch (error) {
    return {
      ok: false,
      rows: 0,
      problems: [{ row: 0, error: `Not a readable CSV: ${(error as Error).message}` }],
    };
  }
  const [header, ...rows] = records;
  if (!header) return { ok: false, rows: 0, problems: [{ row: 0, error: 'The CSV is empty' }] };
  const columns = header.map((name) => name.trim());
  const unknown = columns.filter(
    (name) => !IMPORT_COLUMNS.includes(name) && !/^(field|public):.+/.test(name),
  );
  if (unknown.length > 0) {
    return {
      ok: false,
      rows: rows.length,
      problems: [
        {
          row: 0,
          error: `Unknown column ${unknown.map((name) => `"${name}"`).join(', ')}: the columns are ${IMPORT_COLUMNS.join(', ')}, and field:NAME or public:NAME for custom fields`,
        },
      ],
    };
  }
  if (!columns.includes('type')) {
    return { ok: false, rows: 0, problems: [{ row: 0, error: 'The header has no "type" column' }] };
  }
  if (rows.length === 0)
    return { ok: false, rows: 0, problems: [{ row: 0, error: 'The CSV has no rows' }] };
  if (rows.length > MAX_IMPORT_ROWS) {
    return {
      ok: false,
      rows: rows.length,
      problems: [
        {
          row: 0,
          error: `The CSV has ${rows.length} rows; an import takes at most ${MAX_IMPORT_ROWS}`,
        },
      ],
    };
  }
  const passes: CreatePassBody[] = [];
  const problems: ImportProblem[] = [];
  rows.forEach((cells, index) => {
    const body: Record<string, unknown> = {};
    const customFields: { key: string; value: string; isPublic: boolean }[] = [];
    columns.forEach((column, i) => {
      const cell = cells[i] ?? '';
      if (cell === '') return;
      const custom = /^(field|public):(.+)$/.exec(column);
      if (custom) {
        customFields.push({
          key: custom[2] as string,
          value: cell,
          isPublic: custom[1] === 'public',
        });
      } else if (column === 'maxUsages') {
        body.maxUsages = /^\d+$/.test(cell.trim()) ? Number(cell.trim()) : cell;
      } else if (column === 'type') {
        body.type = cell.trim().toLowerCase();
      } else {
        body[column] = cell;
      }
    });
    if (customFields.length > 0) body.customFields = customFields;
    const parsed = CreatePassBody.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const message =
        issue?.path[0] === 'type' && !PASS_TYPES.includes(body.type as never)
          ? 'type must be "single" or "multi"'
          : `${issue?.path.join('.')}: ${issue?.message}`;
      problems.push({ row: sheetRow(index), error: message });
      return;
    }
    // The rules an insert checks, here too, so that a dry run and the import name the same rows.
    const invalid = validityProblem(ruleColumnsOf(parsed.data));
    if (invalid) problems.push({ row: sheetRow(index), error: invalid });
    else passes.push(parsed.data);
  });
  return problems.length > 0 ? { ok: false, problems, rows: rows.length } : { ok: true, passes };
}

/** "Row 3: validUntil: …" for the first problems, and how many more. */
export function describeProblems(problems: ImportProblem[]): string {
  const shown = problems
    .slice(0, 3)
    .map((p) => (p.row === 0 ? p.error : `Row ${p.row}: ${p.error}`));
  const more = problems.length - shown.length;
  return `${shown.join('; ')}${more > 0 ? `; and ${more} more rows` : ''}. Nothing was imported.`;
}
