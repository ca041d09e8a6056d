import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';

export const SCHEMA_FILE = new URL('../src/schema.ts', import.meta.url);

/** The TypeScript of `src/schema.ts`, as openapi-typescript makes it from the API's document. */
export async function schemaText(document: object): Promise<string> {
  const ast = await openapiTS(document as never, { alphabetize: true });
  return `${COMMENT_HEADER}// Generated from the server's OpenAPI document: pnpm --filter @passgate/client generate\n\n${astToString(ast)}`;
}
