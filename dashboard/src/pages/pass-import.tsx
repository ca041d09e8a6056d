import { useState } from 'react';
import { api, must, type Schemas } from '../api';
import { counted, ErrorMessage, useAction } from '../ui';

type Checked = Schemas['PassImport'];

/**
 * `POST /passes/import` takes the file itself as `text/csv`: sent through the generated client as
 * it is, so that a 401 signs out here as everywhere else.
 */
const sendCsv = (text: string, dryRun: boolean): Promise<Checked> =>
  must(
    api.POST('/passes/import', {
      params: { query: dryRun ? { dryRun: 'true' } : {} },
      body: text,
      bodySerializer: (csv) => csv,
      headers: { 'content-type': 'text/csv' },
    }),
  );

/**
 * Import from a CSV: a check of every row first, then all the rows or none. The list on the page
 * is read again once the import is in.
 */
export function PassImport() {
  const [text, setText] = useState<string>();
  const [fileName, setFileName] = useState('');
  const [checked, setChecked] = useState<Checked>();
  const [done, setDone] = useState<string>();
  const { act: run, error, busy } = useAction();
  return (
    <section aria-labelledby="import-heading" className="import">
      <h2 id="import-heading">Import from CSV</h2>
      <p className="hint">
        One pass a row: all rows are created, or none. Start from the{' '}
        <a href="/api/v1/passes/import/example" download>
          example file
        </a>
        .
      </p>
      <label>
        CSV file
        <input
          type="file"
          accept=".csv,text/csv"
          onChange={(event) => {
            const file = event.target.files?.[0];
            setChecked(undefined);
            setDone(undefined);
            if (!file) return;
            setFileName(file.name);
            void run(async () => {
              const content = await file.text();
              setText(content);
              setChecked(await sendCsv(content, true));
            });
          }}
        />
      </label>
      <ErrorMessage error={error} />
      {checked && checked.problems.length > 0 && (
        <div role="alert" className="error">
          <p>
            {fileName}: {counted(checked.problems.length, 'row', 'rows')} cannot be imported.
            Nothing will be, until they are mended:
          </p>
          <ul>
            {checked.problems.slice(0, 50).map((problem) => (
              <li key={`${problem.row}-${problem.error}`}>
                {problem.row === 0 ? problem.error : `Row ${problem.row}: ${problem.error}`}
              </li>
            ))}
          </ul>
        </div>
      )}
      {checked && checked.problems.length === 0 && text !== undefined && (
        <p role="status">
          {fileName}: {counted(checked.rows, 'pass', 'passes')}, every row valid.{' '}
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                const result = await sendCsv(text, false);
                setChecked(undefined);
                setDone(`Imported ${result.created} passes from ${fileName}.`);
              })
            }
          >
            Import {counted(checked.rows, 'pass', 'passes')}
          </button>
        </p>
      )}
      {done && <p role="status">{done}</p>}
    </section>
  );
}
