import { CreatePassBody, IsoDate, instantOf, PASS_STATUSES, PASS_TYPES } from '@passgate/shared';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { EXPORT_COLUMNS, plainCell } from './csv';
import { type NewPass, ruleColumnsOf, validityProblem } from './queries';

// A CSV import: the columns of `POST /passes`, and every column of an export, so that an export
// of one tenant (or server) imports into another. What an export says of the pass's past (its
// uses, a revocation, its client's email, when it was made) is kept; its code and public link
// are the server's to make, so those columns are read past.

/** The columns an import reads; `field:NAME` and `public:NAME` make custom fields. */
const READ_COLUMNS = [
  'type',
  'name',
  'note',
  'clientName',
  'clientEmail',
  'maxUsages',
  'validFrom',
  'validUntil',
  'status',
  'usagesCount',
  'createdAt',
];
/** An export's columns that the server makes anew. */
const PASSED_OVER = EXPORT_COLUMNS.filter((column) => !READ_COLUMNS.includes(column));

export const IMPORT_EXAMPLE = stringify(
  [
    ['type', 'name', 'note', 'clientName', 'maxUsages', 'validFrom', 'validUntil'].concat(
      'public:Seat',
      'field:Dietary needs',
    ),
    ['single', 'Ana Lima', '', 'Acme Ltd', '', '2026-12-31', '2026-12-31', 'B12', 'vegetarian'],
    ['multi', 'Bo Chen', 'Season pass', '', '10', '', '2027-06-30', '', ''],
  ],
  { eof: true },
);

/**
 * A data row's number as a spreadsheet shows it, the header being row 1: the first data row is
 * row 2, so a problem names the row the person sees.
 */
const sheetRow = (index: number) => index + 2;

/** An import holds at most this many passes, every one checked before any is made. */
export const MAX_IMPORT_ROWS = 10_000;

export interface ImportProblem {
  /** The row's number as a spreadsheet shows it (the header is 1, the first pass 2); 0: the file. */
  row: number;
  error: string;
}

const count = (name: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,9}$/, `${name} must be a whole number below a billion`)
    .transform(Number);

/** What a row may say beyond `POST /passes`: what the pass was where it was exported from. */
const PassPast = z.object({
  clientEmail: z.email('clientEmail must be an email address').max(320).optional(),
  status: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(PASS_STATUSES, { error: 'status must be active, used, expired or revoked' }))
    .optional(),
  usagesCount: count('usagesCount').optional(),
  createdAt: IsoDate.optional(),
});

/**
 * Why a row's past does not fit the pass it describes, or undefined. A single pass's use makes it
 * used; a multi pass is used only once its uses reach maxUsages.
 */
function pastProblem(body: CreatePassBody, past: z.infer<typeof PassPast>, now: Date) {
  if (past.clientEmail && !body.clientName) return 'clientEmail needs a clientName';
  const uses = past.usagesCount;
  if (body.type === 'single' && uses !== undefined && uses > 1) {
    return 'usagesCount of a single pass is 0 or 1';
  }
  if (past.status === 'used') {
    if (body.type === 'single' && uses === 0) return 'status is used, but usagesCount is 0';
    const max = body.maxUsages ?? null;
    if (body.type === 'multi' && (max === null || (uses ?? 0) < max)) {
      return 'status is used, but a multi pass is used only when usagesCount reaches maxUsages';
    }
  }
  if (past.createdAt && instantOf(past.createdAt, 'start') > now) {
    return 'createdAt must not be in the future';
  }
  return undefined;
}

/**
 * The passes a CSV describes, each checked by the same schema as `POST /passes`; or every
 * problem, each naming its row, and how many pass rows were read. A malformed file or header is
 * one problem at row 0.
 */
export function parseImport(
  text: string,
  now = new Date(),
): { ok: true; passes: NewPass[] } | { ok: false; problems: ImportProblem[]; rows: number } {
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
  const fileProblem = (rows: number, error: string) => ({
    ok: false as const,
    rows,
    problems: [{ row: 0, error }],
  });
  const [header, ...rows] = records;
  if (!header) return fileProblem(0, 'The CSV is empty');
  const columns = header.map((name) => name.trim());
  const unknown = columns.filter(
    (name) =>
      !READ_COLUMNS.includes(name) &&
      !PASSED_OVER.includes(name) &&
      !/^(field|public):.+/.test(name),
  );
  if (unknown.length > 0) {
    return fileProblem(
      rows.length,
      `Unknown column ${unknown.map((name) => `"${name}"`).join(', ')}: the columns are ${READ_COLUMNS.join(', ')}, and field:NAME or public:NAME for custom fields (an export's ${PASSED_OVER.join(' and ')} are read past)`,
    );
  }
  if (!columns.includes('type')) return fileProblem(0, 'The header has no "type" column');
  if (rows.length === 0) return fileProblem(0, 'The CSV has no rows');
  if (rows.length > MAX_IMPORT_ROWS) {
    return fileProblem(
      rows.length,
      `The CSV has ${rows.length} rows; an import takes at most ${MAX_IMPORT_ROWS}`,
    );
  }
  const passes: NewPass[] = [];
  const problems: ImportProblem[] = [];
  rows.forEach((cells, index) => {
    const problem = (error: string) => {
      problems.push({ row: sheetRow(index), error });
    };
    const body: Record<string, unknown> = {};
    const past: Record<string, unknown> = {};
    const customFields: { key: string; value: string; isPublic: boolean }[] = [];
    columns.forEach((column, i) => {
      const cell = plainCell(cells[i] ?? '');
      if (cell === '' || PASSED_OVER.includes(column)) return;
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
      } else if (column in PassPast.shape) {
        past[column] = cell;
      } else {
        body[column] = cell;
      }
    });
    if (customFields.length > 0) body.customFields = customFields;
    const parsed = CreatePassBody.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      problem(
        issue?.path[0] === 'type' && !PASS_TYPES.includes(body.type as never)
          ? 'type must be "single" or "multi"'
          : `${issue?.path.join('.')}: ${issue?.message}`,
      );
      return;
    }
    const history = PassPast.safeParse(past);
    if (!history.success) {
      const issue = history.error.issues[0];
      problem(`${issue?.path.join('.')}: ${issue?.message}`);
      return;
    }
    // The rules an insert checks, here too, so that a dry run and the import name the same rows.
    const invalid =
      validityProblem(ruleColumnsOf(parsed.data)) ?? pastProblem(parsed.data, history.data, now);
    if (invalid) {
      problem(invalid);
      return;
    }
    const { status, usagesCount, ...rest } = history.data;
    passes.push({
      ...parsed.data,
      ...rest,
      revoked: status === 'revoked',
      usagesCount:
        usagesCount ?? (status === 'used' && parsed.data.type === 'single' ? 1 : undefined),
    });
  });
  if (problems.length > 0) return { ok: false, problems, rows: rows.length };
  return { ok: true, passes: inFileOrder(passes, now) };
}

/**
 * The passes with the instants they are made at, so that a list (newest first) shows them in the
 * file's order: rows made at one moment (now, for rows without `createdAt`; an exported one, to
 * the millisecond) are that many microseconds apart, the first newest. An export shows
 * milliseconds, so rows of one exported moment stay within it: past a thousand of them, the
 * rest share its last microsecond.
 */
function inFileOrder(passes: NewPass[], now: Date): NewPass[] {
  const moment = (pass: NewPass) =>
    pass.createdAt ? instantOf(pass.createdAt, 'start').getTime() : now.getTime();
  const left = new Map<number, number>(); // moment → rows of it still to come
  for (const pass of passes) left.set(moment(pass), (left.get(moment(pass)) ?? 0) + 1);
  return passes.map((pass) => {
    const at = moment(pass);
    const later = (left.get(at) as number) - 1;
    left.set(at, later);
    const micros = pass.createdAt ? Math.min(later, 999) : later;
    const iso = new Date(at + Math.floor(micros / 1000)).toISOString();
    return { ...pass, createdAt: `${iso.slice(0, -1)}${String(micros % 1000).padStart(3, '0')}Z` };
  });
}

/** "Row 3: validUntil: …" for the first problems, and how many more. */
export function describeProblems(problems: ImportProblem[]): string {
  const shown = problems
    .slice(0, 3)
    .map((p) => (p.row === 0 ? p.error : `Row ${p.row}: ${p.error}`));
  const more = problems.length - shown.length;
  return `${shown.join('; ')}${more > 0 ? `; and ${more} more rows` : ''}. Nothing was imported.`;
}
