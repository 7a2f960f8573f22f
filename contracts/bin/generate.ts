// Writes the files generated from the contract (JSON Schemas, AsyncAPI, configuration reference) into
// docs/. Run with `npm run generate`; a test fails when they are out of date.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeGeneratedFiles } from '../src/generated.js';

for (const path of writeGeneratedFiles(join(dirname(fileURLToPath(import.meta.url)), '..', '..'))) console.log(`wrote ${path}`);
