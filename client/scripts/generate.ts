// Writes src/schema.ts from the API's OpenAPI document, built from the server's routes without
// starting a server. A test regenerates it from a running server and fails on any difference.
import { writeFileSync } from 'node:fs';
import { buildApiDocument } from '../../server/src/app';
import { SCHEMA_FILE, schemaText } from './schema-text';

writeFileSync(SCHEMA_FILE, await schemaText(buildApiDocument()));
process.stdout.write(`wrote ${SCHEMA_FILE.pathname}\n`);
