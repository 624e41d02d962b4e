/**
 * What differs by release in the fake DHIS2 central (fake-dhis2.ts; issue 16 §4, §12; contract
 * §6.10, §11, §17): `/api/system/info` and the data endpoints:
 *
 * - every release: `POST /api/dataValueSets` and `/api/completeDataSetRegistrations`, answered
 *   with DHIS2's WebMessage around an ImportSummary;
 * - ≤ 2.41: `POST /api/events` and `/api/trackedEntityInstances` (`strategy=SYNC`), answered
 *   with a WebMessage around ImportSummaries;
 * - ≥ 2.42: no `/api/events` (the unknown-path answer below), and `POST /api/tracker`: the
 *   default asynchronous import answers "Tracker job added"; `async=false` answers DHIS2's
 *   tracker ImportReport (200, or 409 when its status is ERROR), with the validation of
 *   DHIS2's event ExistenceValidator (E1032/E1082) and, from 2.43, StatusValidator (E1318)
 *   under atomicMode=ALL.
 *
 * Every POST it takes is recorded (path, query, parsed body) so tests can check the shape.
 */
import type http from 'node:http';

type Json = Record<string, unknown>;

export interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

export interface DataReceiverOptions {
  /** The DHIS2 release line: 41 for 2.41.x, 43 for 2.43.x. */
  line: number;
  /** false: the central has no event endpoint at all (neither /api/events nor /api/tracker). */
  events: boolean;
}

export interface DataReceivers {
  received: Received[];
  /** Events the central holds (tracker or legacy), by uid, `deleted` when deleted. */
  events: Map<string, Json>;
  /** Handles a data POST; false when the path is not one of this release's. */
  handle(req: http.IncomingMessage, url: URL, body: unknown, res: http.ServerResponse): boolean;
}

const UID = /^[A-Za-z][A-Za-z0-9]{10}$/;

const send = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' });
  res.end(JSON.stringify(body));
};

/** DHIS2's WebMessage around an import answer (WebMessageUtils.importSummary/ies). */
const ok = (response: Json): Json => ({
  httpStatus: 'OK',
  httpStatusCode: 200,
  status: 'OK',
  message: 'Import was successful.',
  response,
});

const count = (imported: number, updated = 0, deleted = 0) => ({
  imported,
  updated,
  ignored: 0,
  deleted,
});

const list = (body: unknown, key: string): Json[] => {
  const v = (body as Json | null)?.[key];
  return Array.isArray(v) ? (v as Json[]) : [];
};

export function createDataReceivers(opts: DataReceiverOptions): DataReceivers {
  const received: Received[] = [];
  const events = new Map<string, Json>();

  /** ≤ 2.41 `strategy=SYNC`: create or update, `deleted: true` deletes (ImportSummaries). */
  const legacy = (items: Json[], idKey: string): Json => {
    const summaries = items.map((item) => {
      const uid = String(item[idKey] ?? '');
      const had = events.has(uid);
      if (idKey === 'event') events.set(uid, { ...item });
      const c = item.deleted === true ? count(0, 0, 1) : had ? count(0, 1) : count(1);
      return {
        responseType: 'ImportSummary',
        status: 'SUCCESS',
        importCount: c,
        conflicts: [],
        reference: uid,
      };
    });
    const sum = (k: 'imported' | 'updated' | 'deleted') =>
      summaries.reduce((n, s) => n + s.importCount[k], 0);
    return ok({
      responseType: 'ImportSummaries',
      status: 'SUCCESS',
      imported: sum('imported'),
      updated: sum('updated'),
      deleted: sum('deleted'),
      ignored: 0,
      importSummaries: summaries,
      total: summaries.length,
    });
  };

  /** ≥ 2.42 `/api/tracker`: the ImportReport of a synchronous import (atomicMode=ALL). */
  const tracker = (url: URL, body: unknown, res: http.ServerResponse) => {
    if (url.searchParams.get('async')?.toLowerCase() !== 'false') {
      const id = 'FakeJob0001';
      return send(res, 200, {
        httpStatus: 'OK',
        httpStatusCode: 200,
        status: 'OK',
        message: 'Tracker job added',
        response: { responseType: 'TrackerJob', id, location: `/api/tracker/jobs/${id}` },
      });
    }
    const strategy = url.searchParams.get('importStrategy') ?? 'CREATE_AND_UPDATE';
    const items = list(body, 'events');
    for (const e of items)
      if (!UID.test(String(e.event)))
        return send(res, 400, {
          httpStatus: 'Bad Request',
          httpStatusCode: 400,
          status: 'ERROR',
          message: `JSON parse error: Cannot construct instance of \`org.hisp.dhis.common.UID\`, problem: UID must be an alphanumeric string of 11 characters starting with a letter, but was: ${String(e.event)}`,
        });
    const errorReports: Json[] = [];
    const error = (uid: string, errorCode: string, message: string) =>
      errorReports.push({ message, errorCode, trackerType: 'EVENT', uid, args: [uid] });
    for (const e of items) {
      const uid = String(e.event);
      const held = events.get(uid);
      if (held?.deleted)
        error(uid, 'E1082', `Event: \`${uid}\` is already deleted and cannot be modified.`);
      else if (strategy === 'DELETE' && !held)
        error(uid, 'E1032', `Event: \`${uid}\` do not exist.`);
      else if (strategy !== 'DELETE') {
        if (!e.occurredAt) error(uid, 'E1031', `Event OccurredAt date is missing: \`${uid}\`.`);
        // 2.43's StatusValidator: a single event is only ACTIVE, COMPLETED or VISITED.
        if (opts.line >= 43 && ['OVERDUE', 'SKIPPED', 'SCHEDULE'].includes(String(e.status)))
          error(
            uid,
            'E1318',
            `Status \`${String(e.status)}\` is not applicable for single events.`,
          );
      }
    }
    if (errorReports.length > 0)
      return send(res, 409, {
        status: 'ERROR',
        validationReport: { errorReports, warningReports: [] },
        stats: { created: 0, updated: 0, deleted: 0, ignored: items.length, total: items.length },
      });
    const stats = { created: 0, updated: 0, deleted: 0, ignored: 0, total: items.length };
    for (const e of items) {
      const uid = String(e.event);
      if (strategy === 'DELETE') {
        events.set(uid, { ...events.get(uid), deleted: true });
        stats.deleted++;
      } else {
        stats[events.has(uid) ? 'updated' : 'created']++;
        events.set(uid, { ...e });
      }
    }
    return send(res, 200, {
      status: 'OK',
      validationReport: { errorReports: [], warningReports: [] },
      stats,
      bundleReport: {
        typeReportMap: {
          EVENT: {
            trackerType: 'EVENT',
            stats,
            objectReports: items.map((e, index) => ({
              trackerType: 'EVENT',
              uid: e.event,
              index,
              errorReports: [],
            })),
          },
        },
      },
    });
  };

  return {
    received,
    events,
    handle(req, url, body, res) {
      if (req.method !== 'POST') return false;
      const path = url.pathname;
      const record = () =>
        received.push({
          method: req.method!,
          path,
          query: Object.fromEntries(url.searchParams),
          body,
        });
      if (path === '/api/dataValueSets' || path === '/api/completeDataSetRegistrations') {
        record();
        const key = path === '/api/dataValueSets' ? 'dataValues' : 'completeDataSetRegistrations';
        send(
          res,
          200,
          ok({
            responseType: 'ImportSummary',
            status: 'SUCCESS',
            description: 'Import process completed successfully',
            importCount: count(list(body, key).length),
            conflicts: [],
          }),
        );
        return true;
      }
      if (opts.line <= 41 && opts.events && path === '/api/events') {
        record();
        send(res, 200, legacy(list(body, 'events'), 'event'));
        return true;
      }
      if (opts.line <= 41 && path === '/api/trackedEntityInstances') {
        record();
        send(res, 200, legacy(list(body, 'trackedEntityInstances'), 'trackedEntityInstance'));
        return true;
      }
      if (opts.line >= 42 && opts.events && path === '/api/tracker') {
        record();
        tracker(url, body, res);
        return true;
      }
      return false;
    },
  };
}

/**
 * What DHIS2 2.42/2.43 answers for a path no controller maps (`/api/events` since 2.42): Spring
 * raises NoHandlerFoundException, DHIS2's advice rethrows it, and the servlet container answers
 * with its own error page (Tomcat's HTML, DHIS2 configures none).
 */
export function notFoundPage(res: http.ServerResponse, path: string): void {
  res.writeHead(404, { 'content-type': 'text/html;charset=utf-8', 'content-language': 'en' });
  res.end(
    `<!doctype html><html lang="en"><head><title>HTTP Status 404 – Not Found</title></head><body><h1>HTTP Status 404 – Not Found</h1><hr class="line" /><p><b>Type</b> Status Report</p><p><b>Message</b> No endpoint POST ${path}.</p><p><b>Description</b> The origin server did not find a current representation for the target resource or is not willing to disclose that one exists.</p><hr class="line" /><h3>Apache Tomcat/10.1</h3></body></html>`,
  );
}

/** DHIS2's `/api/system/info` (the fields a local may read; contract §6.10). */
export const systemInfo = (release: string): Json => ({
  contextPath: 'http://localhost:8080',
  userAgent: 'Java/17',
  calendar: 'iso8601',
  dateFormat: 'yyyy-mm-dd',
  serverDate: '2016-07-01T00:00:00.000',
  version: release,
  revision: 'a1b2c3d',
  buildTime: '2016-06-01T00:00:00.000',
  systemId: 'eed3d451-4ff5-4193-b951-ffcc68954299',
  systemName: 'DHIS 2 fake central',
  isMetadataVersionEnabled: true,
});
