import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';

export const SCHEMA_FILE = new URL('../src/schema.ts', import.meta.url);

type Operations = Record<string, Record<string, { operationId?: string; 'x-access'?: string[] }>>;

/**
 * The TypeScript of `src/schema.ts`: the types openapi-typescript makes from the API's document,
 * and who may call each operation (its `x-access`) by operationId, for pages to offer only what
 * their user may do.
 */
export async function schemaText(document: object): Promise<string> {
  const ast = await openapiTS(document as never, { alphabetize: true });
  const paths = (document as { paths: Operations }).paths;
  const access = Object.values(paths)
    .flatMap((item) => Object.values(item))
    .map((operation) => [operation.operationId ?? '', operation['x-access'] ?? []] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  const table = access.map(([id, kinds]) => `  ${id}: ${JSON.stringify(kinds)},`).join('\n');
  return [
    COMMENT_HEADER,
    "// Generated from the server's OpenAPI document: pnpm --filter @passgate/client generate\n\n",
    astToString(ast),
    '\n/** Who may call each operation, by its operationId: the `x-access` of the document. */\n',
    `export const operationAccess = {\n${table}\n} as const;\n`,
  ].join('');
}
