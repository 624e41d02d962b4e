/**
 * Every route's response has a real schema in `/api/openapi.json` (issue 17 §5): no response
 * without a schema, no open record of unknown values anywhere in one. A DHIS2 payload that is
 * open by nature is documented by its known fields with `additionalProperties` typed as JSON
 * values (src/http/schemas/json.ts); only the `JsonValue` component itself is open, and typed.
 * Through Fastify's `inject`: HTTP is not what is tested here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ADMIN_PASSWORD, basic, useServer } from '../support/server.ts';

type Schema = Record<string, unknown>;
interface Response {
  description?: string;
  content?: Record<string, { schema?: Schema }>;
}
interface OpenApi {
  paths: Record<string, Record<string, { responses?: Record<string, Response> }>>;
  components: { schemas: Record<string, Schema> };
}

const JSON_VALUE = '#/components/schemas/JsonValue';
/** Codes whose answer has no body: documented by a description alone. */
const NO_BODY = new Set(['201', '204', '304']);

/** What is open or untyped in `schema` (following $refs once each), as `where: why` lines. */
function openParts(doc: OpenApi, schema: unknown, where: string, seen: Set<string>): string[] {
  if (typeof schema !== 'object' || schema === null) return [`${where}: not a schema`];
  const s = schema as Schema;
  if (typeof s.$ref === 'string') {
    if (s.$ref === JSON_VALUE || seen.has(s.$ref)) return [];
    seen.add(s.$ref);
    const target = doc.components.schemas[s.$ref.replace('#/components/schemas/', '')];
    return target === undefined
      ? [`${where}: dangling ${s.$ref}`]
      : openParts(doc, target, s.$ref, seen);
  }
  const out: string[] = [];
  const typed = ['type', 'anyOf', 'oneOf', 'allOf', 'enum'].some((k) => k in s);
  if (!typed) out.push(`${where}: untyped ${JSON.stringify(s)}`);
  for (const k of ['anyOf', 'oneOf', 'allOf'])
    if (Array.isArray(s[k]))
      (s[k] as unknown[]).forEach((x, i) =>
        out.push(...openParts(doc, x, `${where}|${k}${i}`, seen)),
      );
  if (s.type === 'array') out.push(...openParts(doc, s.items, `${where}[]`, seen));
  if (s.type === 'object') {
    const props = (s.properties ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(props))
      out.push(...openParts(doc, v, `${where}.${k}`, seen));
    const extra = s.additionalProperties;
    if (extra === undefined || extra === true)
      out.push(`${where}: any other property allowed, untyped`);
    else if (extra !== false) {
      const bareJson = (extra as Schema).$ref === JSON_VALUE;
      if (bareJson && Object.keys(props).length === 0)
        out.push(`${where}: a record of any JSON, with no field documented`);
      out.push(...openParts(doc, extra, `${where}{*}`, seen));
    }
  }
  return out;
}

/** Every response of every documented route that is not a real schema. */
function schemaLessResponses(doc: OpenApi): string[] {
  const out: string[] = [];
  for (const [path, methods] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(methods)) {
      const route = `${method.toUpperCase()} ${path}`;
      const responses = Object.entries(op.responses ?? {});
      if (!responses.some(([code]) => code.startsWith('2'))) out.push(`${route}: no 2xx response`);
      for (const [code, r] of responses) {
        const contents = Object.entries(r.content ?? {});
        if (contents.length === 0) {
          if (!NO_BODY.has(code) || !r.description || r.description === 'Default Response')
            out.push(`${route} ${code}: no body schema`);
          continue;
        }
        for (const [type, { schema }] of contents)
          out.push(...openParts(doc, schema, `${route} ${code} ${type}`, new Set()));
      }
    }
  return out;
}

describe('the OpenAPI document', () => {
  const server = useServer('pglite');

  it('gives every response of every route a closed, typed schema', async () => {
    const res = await server.instance.app.inject({
      method: 'GET',
      url: '/api/openapi.json',
      headers: { authorization: basic('admin', ADMIN_PASSWORD) },
    });
    assert.equal(res.statusCode, 200, res.body.slice(0, 500));
    const doc = res.json<OpenApi>();
    assert.ok(Object.keys(doc.paths).length > 50, 'the document lists the routes');
    assert.deepEqual(schemaLessResponses(doc), []);
  });

  it('the check finds an open record, an untyped value and a schema-less body', () => {
    const doc: OpenApi = {
      paths: {
        '/a': {
          get: {
            responses: {
              200: {
                content: { 'application/json': { schema: { $ref: '#/components/schemas/A' } } },
              },
            },
          },
        },
        '/b': { post: { responses: { 200: { description: 'Default Response' } } } },
        '/c': {
          get: {
            responses: {
              200: {
                content: {
                  'application/json': {
                    schema: { type: 'object', additionalProperties: { $ref: JSON_VALUE } },
                  },
                },
              },
            },
          },
        },
      },
      components: {
        schemas: {
          A: {
            type: 'object',
            properties: { x: {}, y: { type: 'object', additionalProperties: {} } },
            additionalProperties: false,
          },
        },
      },
    };
    assert.deepEqual(schemaLessResponses(doc), [
      '#/components/schemas/A.x: untyped {}',
      '#/components/schemas/A.y{*}: untyped {}',
      'POST /b 200: no body schema',
      'GET /c 200 application/json: a record of any JSON, with no field documented',
    ]);
  });
});
