/**
 * Field-level validation errors are structured (issue 17 §5): `response.errorReports` holds one
 * DHIS2 ErrorReport per wrong field with its `property` and `message`, so the web UI shows each
 * next to its field without parsing the message. Through Fastify's `inject`: HTTP is not what
 * is tested here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ADMIN_PASSWORD, basic, useServer } from '../support/server.ts';
import type { WebMessage } from '../../src/http/schemas/api-types.ts';

interface Report {
  property: string;
  message: string;
  errorProperty: string;
  errorCode?: string;
  path?: string;
}

describe('structured field errors', () => {
  const server = useServer('pglite');

  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => {
    const res = await server.instance.app.inject({
      method,
      url,
      headers: {
        authorization: basic('admin', ADMIN_PASSWORD),
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
    const body = res.json<WebMessage>();
    const reports = (body.response as { errorReports?: Report[] } | undefined)?.errorReports;
    return { status: res.statusCode, body, reports: reports ?? [] };
  };

  const job = { name: 'Nightly', jobType: 'META_DATA_SYNC', cronExpression: '0 0 3 ? * *' };

  it("names the field a domain rule refused, with DHIS2's errorProperty and errorCode", async () => {
    const cron = await call('POST', '/api/jobConfigurations', {
      ...job,
      cronExpression: '0 0 25 ? * *',
    });
    assert.equal(cron.status, 400);
    assert.equal(cron.body.errorCode, 'E7005');
    assert.deepEqual(cron.reports, [
      {
        property: 'cronExpression',
        message: cron.body.message,
        errorProperty: 'cronExpression',
        errorCode: 'E7005',
      },
    ]);

    const type = await call('POST', '/api/jobConfigurations', { ...job, jobType: 'ANALYTICS' });
    assert.deepEqual(
      type.reports.map((r) => [r.property, r.errorCode]),
      [['jobType', 'E1003']],
    );

    const pageSize = await call('POST', '/api/jobConfigurations', {
      ...job,
      jobParameters: { dataValuesPageSize: 10 },
    });
    assert.deepEqual(
      pageSize.reports.map((r) => r.property),
      ['jobParameters.dataValuesPageSize'],
    );

    const setting = await call('POST', '/api/systemSettings', { keyEmailPort: 'abc' });
    assert.deepEqual(setting.reports, [
      {
        property: 'keyEmailPort',
        message: 'must be an integer',
        errorProperty: 'keyEmailPort',
        errorCode: 'E1003',
      },
    ]);
  });

  it('names each field a schema refused, within its request part', async () => {
    const { name: _, ...nameless } = job;
    const missing = await call('POST', '/api/jobConfigurations', { ...nameless, enabled: 'yes' });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.reports.map((r) => [r.property, r.errorProperty, r.path]).sort(), [
      ['enabled', 'enabled', 'body.enabled'],
      ['name', 'name', 'body.name'],
    ]);
    for (const r of missing.reports) assert.equal(typeof r.message, 'string', JSON.stringify(r));

    const query = await call('GET', '/api/metadata/sync/reports?limit=0');
    assert.equal(query.status, 400);
    assert.deepEqual(
      query.reports.map((r) => [r.property, r.path]),
      [['limit', 'querystring.limit']],
    );

    // The whole body is wrong: the property is the part itself.
    const notObject = await call('POST', '/api/metadata/sync/rebaseline', ['Version_1']);
    assert.equal(notObject.status, 400);
    assert.deepEqual(
      notObject.reports.map((r) => r.property),
      ['body'],
    );
  });

  it('a refusal without a field keeps its response as before', async () => {
    const missing = await call('GET', '/api/jobConfigurations/abcdefghijk');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.response, undefined);
  });
});
