import { describe, expect, it } from 'vitest';
import { hoistNamedSchemas } from './openapi-components.js';
import { openApiDocument } from './openapi-document.js';

const permit = {
  title: 'Permit',
  type: 'object',
  properties: { title: { type: 'string' }, holder: { title: 'Party', type: 'object' } },
};

describe('named schemas become components', () => {
  it('moves each titled schema to components.schemas once and refers to it everywhere', () => {
    const doc = hoistNamedSchemas({
      openapi: '3.1.0',
      paths: {
        '/a': {
          get: {
            responses: {
              200: {
                content: { 'application/json': { schema: { type: 'array', items: permit } } },
              },
            },
          },
        },
        '/b': {
          post: {
            requestBody: { content: { 'application/json': { schema: permit } } },
            responses: { 201: { content: { 'application/json': { schema: permit } } } },
          },
        },
      },
      components: { securitySchemes: { bearer: { type: 'http' } } },
    });
    expect(doc.paths['/a'].get.responses[200].content['application/json'].schema).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/Permit' },
    });
    expect(doc.paths['/b'].post.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Permit',
    });
    const schemas = (doc.components as unknown as { schemas: Record<string, unknown> }).schemas;
    expect(Object.keys(schemas).sort()).toEqual(['Party', 'Permit']);
    // A property called "title" is a property, not the keyword; the nested named one is a ref.
    expect(schemas.Permit).toEqual({
      title: 'Permit',
      type: 'object',
      properties: {
        title: { type: 'string' },
        holder: { $ref: '#/components/schemas/Party' },
      },
    });
    expect(doc.components.securitySchemes).toEqual({ bearer: { type: 'http' } });
  });

  it('refuses two different schemas under one name', () => {
    expect(() =>
      hoistNamedSchemas({
        paths: {
          '/a': { get: { parameters: [{ schema: { title: 'X', type: 'string' } }] } },
          '/b': { get: { parameters: [{ schema: { title: 'X', type: 'number' } }] } },
        },
      }),
    ).toThrow(/two different schemas are both named X/);
  });

  it('leaves titles that are not schema keywords alone (an example or a description object)', () => {
    const doc = hoistNamedSchemas({ info: { title: 'GreenLane API' }, paths: {} });
    expect(doc.info.title).toBe('GreenLane API');
    expect((doc as { components?: { schemas?: object } }).components?.schemas).toEqual({});
  });
});

describe("the API's own document", () => {
  it('names its shared shapes as components and refers to them', async () => {
    const doc = (await openApiDocument()) as {
      components: { schemas: Record<string, unknown> };
      paths: Record<string, unknown>;
    };
    const names = Object.keys(doc.components.schemas);
    expect(names).toEqual(
      expect.arrayContaining(['Problem', 'Permit', 'Indicator', 'Declaration']),
    );
    const text = JSON.stringify(doc.paths);
    expect(text).toContain('"$ref":"#/components/schemas/Permit"');
    // Every reference leads to a component that exists.
    const refs = new Set([...text.matchAll(/#\/components\/schemas\/(\w+)/g)].map((m) => m[1]!));
    for (const r of refs) expect(names).toContain(r);
    // No named schema is left inline in a route.
    expect(text).not.toMatch(/"title":"(Permit|Problem|Indicator)"/);
  });
});
