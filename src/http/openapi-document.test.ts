import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi-document.js';

describe('the console client', () => {
  it('is generated from the OpenAPI document the API serves now (npm run api:types)', async () => {
    const committed = JSON.parse(
      readFileSync(new URL('../../web/openapi.json', import.meta.url), 'utf8'),
    ) as unknown;
    expect(JSON.parse(JSON.stringify(await openApiDocument()))).toEqual(committed);
  });
});
