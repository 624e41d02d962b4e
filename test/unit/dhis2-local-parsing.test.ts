/**
 * The DHIS2-local emulator's reading rules (issue 16 §12) against DHIS2's behaviour as its source
 * states it (2.39–2.43): `DateUtils.parseDate` + `ParseDateStdDeserializer`, the Jackson rules of
 * `JacksonObjectMapperConfig` on MetadataVersion and ImportSummary, the push-answer extraction
 * (`ImportSummaryResponseExtractor`, `WebMessageParseUtils`), `SyncUtils`' success rule, and the
 * central's conflict codes read by a 2.43 local (issue 16 §11).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyCount, summarize } from '../../src/domain/data/import-summary.ts';
import { parseJsonDate } from '../support/dhis2-local/dates.ts';
import { bindHistory, bindMetadataVersion } from '../support/dhis2-local/jackson.ts';
import { JacksonError, JavaException, NPE } from '../support/dhis2-local/java-errors.ts';
import { RELEASES, release } from '../support/dhis2-local/releases.ts';
import {
  bindSummary,
  extractClientError,
  extractOk,
  succeeded,
  type Summaries,
} from '../support/dhis2-local/summaries.ts';

const r39 = RELEASES['2.39'];
const r41 = RELEASES['2.41'];
const r43 = RELEASES['2.43'];
const at = (...p: [number, number, number, number?, number?, number?, number?]) =>
  Date.UTC(p[0], p[1] - 1, p[2], p[3] ?? 0, p[4] ?? 0, p[5] ?? 0, p[6] ?? 0);
const time = (v: unknown, rel = r41) => parseJsonDate(v, rel)?.getTime();

describe('dates (DateUtils.parseDate, ParseDateStdDeserializer)', () => {
  it('reads every DHIS2 pattern, with or without an offset (no offset = the server zone, UTC)', () => {
    const cases: [string, number][] = [
      ['2016-06-30T06:01:28.684', at(2016, 6, 30, 6, 1, 28, 684)],
      ['2016-06-30T06:01:28.684+0000', at(2016, 6, 30, 6, 1, 28, 684)],
      ['2016-06-30T08:01:28.684+02:00', at(2016, 6, 30, 6, 1, 28, 684)],
      ['2016-06-30T06:01:28.684Z', at(2016, 6, 30, 6, 1, 28, 684)],
      ['2016-06-30T06:01:28.684123456Z', at(2016, 6, 30, 6, 1, 28, 684)],
      ['2016-06-30T06:01:28.6', at(2016, 6, 30, 6, 1, 28, 600)],
      ['2016-06-30T06:01:28', at(2016, 6, 30, 6, 1, 28)],
      ['2016-06-30T06:01-0130', at(2016, 6, 30, 7, 31)],
      ['2016-06-30T06', at(2016, 6, 30, 6)],
      ['2016-06-30t06:01', at(2016, 6, 30, 6, 1)],
      ['2016-06-30 06:01:28+0000', at(2016, 6, 30, 6, 1, 28)],
      ['2016-06-30', at(2016, 6, 30)],
      ['2016-6-3', at(2016, 6, 3)],
      ['2016-06', at(2016, 6, 1)],
      ['2016', at(2016, 1, 1)],
      ['2016-02-29', at(2016, 2, 29)],
    ];
    for (const [text, expected] of cases) assert.equal(time(text), expected, text);
  });

  it('takes epoch milliseconds as a JSON integer or a string of more than twelve digits', () => {
    assert.equal(time(1467266488684), 1467266488684);
    assert.equal(time('1467266488684'), 1467266488684);
    assert.throws(() => time('146726648868'), /Invalid date format '146726648868'/);
  });

  it('reads yyyyMMdd as a date from 2.40 on; 2.39 reads the eight digits as a year', () => {
    assert.equal(time('20160630', r41), at(2016, 6, 30));
    assert.notEqual(time('20160630', r39), at(2016, 6, 30));
  });

  it('refuses what Joda refuses, with DHIS2 message; an empty string is null', () => {
    for (const bad of [
      '2016-13-01',
      '2016-02-30',
      '2015-02-29',
      '2016-06-30T24:00',
      '2016-06-30 06:01:28',
      ' ',
      'June 2016',
    ])
      assert.throws(
        () => time(bad),
        (e: unknown) =>
          e instanceof JacksonError &&
          /^Invalid date format '.*', only ISO format or UNIX Epoch timestamp is supported\.$/.test(
            String(e.javaMessage),
          ),
        bad,
      );
    assert.throws(() => time(1.5), /Invalid date format '1\.5'/);
    assert.throws(() => time({}), /Invalid date format 'null'/);
    assert.equal(parseJsonDate('', r41), null);
    assert.equal(parseJsonDate(null, r41), null);
  });
});

describe('MetadataVersion (Jackson: unknown properties off, exact enum names)', () => {
  const item = {
    name: 'Version_2',
    type: 'BEST_EFFORT',
    created: '2016-06-30T06:01:28.684',
    id: 'Ayz2AEMB6ry',
    hashCode: '848bf6edbaf4faeb7d1a1169445357b0',
    importdate: 'not even a date',
    parentHashCode: 'x',
    Name: 'ignored too',
  };

  it('ignores unknown and differently cased properties', () => {
    const v = bindMetadataVersion(item, r43);
    assert.equal(v.name, 'Version_2');
    assert.equal(v.type, 'BEST_EFFORT');
    assert.equal(v.created?.getTime(), at(2016, 6, 30, 6, 1, 28, 684));
    assert.equal(v.importDate, null);
  });

  it('takes `type` as exactly BEST_EFFORT or ATOMIC, or an ordinal; a missing type is null', () => {
    assert.equal(bindMetadataVersion({ ...item, type: 1 }, r43).type, 'ATOMIC');
    assert.equal(bindMetadataVersion({ ...item, type: undefined }, r43).type, null);
    for (const bad of ['best_effort', 'Atomic', '', 'FULL', 2, true])
      assert.throws(
        () => bindMetadataVersion({ ...item, type: bad }, r43),
        /VersionType/,
        String(bad),
      );
  });

  it('reads strings from other scalars and "" as null', () => {
    const v = bindMetadataVersion({ ...item, name: 7, hashCode: '' }, r43);
    assert.equal(v.name, '7');
    assert.equal(v.hashCode, null);
  });

  it('reads the history list from `metadataversions` only when it is an array', () => {
    assert.deepEqual(bindHistory('{"metadataversions":{}}', r43), []);
    assert.deepEqual(bindHistory('[{"name":"Version_1"}]', r43), []);
    assert.equal(bindHistory(JSON.stringify({ metadataversions: [item, null] }), r43).length, 2);
    assert.throws(() => bindHistory('<html>', r43), JacksonError);
    assert.throws(
      () =>
        bindHistory(JSON.stringify({ metadataversions: [{ ...item, created: 'yesterday' }] }), r43),
      /Invalid date format 'yesterday'/,
    );
  });
});

describe('push answers (ImportSummaryResponseExtractor, WebMessageParseUtils)', () => {
  const summary = {
    responseType: 'ImportSummary',
    status: 'WARNING',
    importCount: { imported: 1, updated: 0, ignored: 1, deleted: 0 },
    conflicts: [{ object: 'x', value: 'bad', errorCode: 'E7610', indexes: [1] }],
  };
  const message = {
    httpStatus: 'OK',
    httpStatusCode: 200,
    status: 'WARNING',
    message: 'm',
    response: summary,
  };

  it('2xx: `response` of a WebMessage with httpStatus and response, else the body', () => {
    assert.equal(extractOk('ImportSummary', JSON.stringify(message), r41)?.status, 'WARNING');
    assert.equal(extractOk('ImportSummary', JSON.stringify(summary), r41)?.status, 'WARNING');
    // Without httpStatus the WebMessage itself is read as the summary: "OK" is no ImportStatus.
    const { httpStatus: _h, ...noHttpStatus } = { ...message, status: 'OK' };
    assert.throws(
      () => extractOk('ImportSummary', JSON.stringify(noHttpStatus), r41),
      /ImportStatus/,
    );
    assert.equal(extractOk('ImportSummary', '{"importCount":{}}', r41)?.status, 'SUCCESS');
    assert.throws(() => extractOk('ImportSummary', '', r41), JavaException);
  });

  it('an error code the release lacks makes the summary unreadable (2.43 retired E7610)', () => {
    assert.equal(bindSummary(summary, r41)?.conflicts[0]?.errorCode, 'E7610');
    assert.throws(() => bindSummary(summary, r43), /ErrorCode` from String "E7610"/);
    const e8103 = { ...summary, conflicts: [{ ...summary.conflicts[0], errorCode: 'E8103' }] };
    assert.equal(bindSummary(e8103, r43)?.conflicts[0]?.errorCode, 'E8103');
    assert.throws(() => bindSummary(e8103, r41), /E8103/);
    assert.equal(
      bindSummary({ ...summary, conflicts: [{ object: 'x', value: 'v' }] }, r43)?.conflicts[0]
        ?.errorCode,
      null,
    );
  });

  it('4xx: `response` is required; without it (or with an empty body) a NullPointerException escapes', () => {
    const npe = (e: unknown) => e instanceof JavaException && e.javaClass === NPE;
    assert.throws(
      () =>
        extractClientError(
          'ImportSummary',
          '{"httpStatus":"Forbidden","message":"Access is denied"}',
          r43,
        ),
      npe,
    );
    assert.throws(() => extractClientError('ImportSummary', '', r43), npe);
    assert.deepEqual(extractClientError('ImportSummary', '{"response":null}', r43), {
      summary: null,
    });
    assert.match(
      JSON.stringify(extractClientError('ImportSummary', 'Forbidden', r43)),
      /Invalid JSON String/,
    );
    assert.match(
      JSON.stringify(extractClientError('ImportSummary', JSON.stringify(message), r43)),
      /Could not parse the JSON/,
    );
    const ok = extractClientError(
      'ImportSummary',
      JSON.stringify({ ...message, response: { ...summary, conflicts: [] } }),
      r43,
    );
    assert.equal('summary' in ok && ok.summary?.status, 'WARNING');
  });

  it('success is a status neither ERROR nor WARNING, down to the events of tracked entities', () => {
    const s = (status: string, extra = {}) => ({ status, importCount: {}, ...extra });
    const teis = (eventStatus: string) =>
      extractOk(
        'ImportSummaries',
        JSON.stringify({
          status: 'SUCCESS',
          importSummaries: [
            s('SUCCESS', {
              enrollments: {
                importSummaries: [s('SUCCESS', { events: { importSummaries: [s(eventStatus)] } })],
              },
            }),
          ],
        }),
        r41,
      ) as Summaries;
    assert.equal(succeeded('ImportSummaries', teis('SUCCESS'), true), true);
    assert.equal(succeeded('ImportSummaries', teis('WARNING'), true), false);
    assert.equal(
      succeeded('ImportSummaries', teis('WARNING')),
      true,
      'events push: top level only',
    );
    assert.equal(succeeded('ImportSummary', bindSummary(s('ERROR'), r41)!), false);
  });
});

describe("the central's data-push conflicts as a DHIS2 local reads them (issue 16 §11)", () => {
  it('a summary with conflicts from every validator is readable by 2.39, 2.41, 2.42 and 2.43', () => {
    const codes = ['E7600', 'E7610', 'E7611', 'E7612', 'E7613', 'E7615', 'E7619'];
    const wire = JSON.parse(
      JSON.stringify(
        summarize(
          { ...emptyCount(), imported: 1, ignored: codes.length },
          codes.map((errorCode, i) => ({
            object: `o${i}`,
            value: `v${i}`,
            errorCode,
            indexes: [i],
          })),
          codes.length,
        ),
      ),
    ) as unknown;
    for (const rel of Object.values(RELEASES)) {
      const read = bindSummary(wire, rel);
      assert.equal(read?.status, 'WARNING', rel.build);
      assert.equal(read?.conflicts.length, codes.length);
    }
    assert.deepEqual(
      bindSummary(wire, r43)?.conflicts.map((c) => c.errorCode),
      codes.map((c) => (c === 'E7611' ? 'E7611' : null)),
    );
  });
});

describe('release profiles (ServiceConfig, EventSynchronization at the tags)', () => {
  it('retries every exception from 2.40.9, 2.41.5, 2.42.2 and 2.43.0, MetadataSyncServiceException before', () => {
    const every = (b: string) => release(b).retriesEveryException;
    assert.deepEqual(['2.39.10.1', '2.41.4.2', '2.41.5', '2.42.1', '2.42.2', '2.43.0'].map(every), [
      false,
      false,
      true,
      false,
      true,
      true,
    ]);
  });

  it('has the event page "fail" after a good POST up to 2.39.5 and in every 2.41', () => {
    const fails = (b: string) => release(b).eventPageAlwaysFails;
    assert.deepEqual(['2.39.5', '2.39.6', '2.41.0', '2.41.9.1'].map(fails), [
      true,
      false,
      true,
      true,
    ]);
  });
});
