// Writes the API's OpenAPI document to web/openapi.json, from which the console's typed client
// (web/src/api-types.ts) is generated: npm run api:types. A test fails when either is stale.
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../src/http/openapi-document.js';

writeFileSync('web/openapi.json', JSON.stringify(await openApiDocument(), null, 2) + '\n');
console.log('wrote web/openapi.json');
