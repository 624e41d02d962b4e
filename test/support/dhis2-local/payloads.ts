/**
 * The bodies a DHIS2 local pushes (issue 16 §12, contract §11), from the rows the test gives it:
 *
 * - data values: ≤2.42 `JsonDataValueSetWriter` writes every field in a fixed order, nulls
 *   included, `deleted` only when true, dates `toLongGmtDate` (`…T…:….SSS+0000`); 2.43's
 *   `DataExportOutput.toJson` (sync export) writes the same order but leaves null members out and
 *   turns an empty `storedBy`/`comment` into null.
 * - registrations: `StreamingJsonCompleteDataSetRegistration` writes fields as they are set and
 *   skips nulls; `date` and `lastUpdated` are the first ten characters of the timestamps.
 * - events and tracked entities (≤2.41): the legacy DTOs through the NON_NULL mapper
 *   (`dtos.ts` builds them).
 */
import type { Release } from './releases.ts';

export interface DataValueRow {
  dataElement: string;
  period: string;
  orgUnit: string;
  categoryOptionCombo: string;
  attributeOptionCombo: string;
  value: string | null;
  storedBy: string | null;
  created: Date;
  lastUpdated: Date;
  comment: string | null;
  followup: boolean;
  deleted?: boolean;
}

export interface RegistrationRow {
  dataSet: string;
  period: string;
  organisationUnit: string;
  attributeOptionCombo: string;
  date: Date;
  storedBy: string | null;
  lastUpdatedBy: string | null;
  lastUpdated: Date;
  completed: boolean;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Joda `yyyy-MM-dd'T'HH:mm:ss.SSSZ` in UTC: `2024-01-02T03:04:05.006+0000`. */
export function longGmtDate(d: Date): string {
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.` +
    `${pad(d.getUTCMilliseconds(), 3)}+0000`
  );
}

/** `DateUtils.toIso8601NoTz` on a UTC server: `yyyy-MM-dd'T'HH:mm:ss.SSS`. */
export const isoNoTz = (d: Date) => longGmtDate(d).slice(0, 23);

/** A PostgreSQL timestamp as JDBC's `getString` gives it, cut to its date (`removeTime`). */
const sqlDate = (d: Date) => isoNoTz(d).slice(0, 10);

export function dataValuesBody(rows: readonly DataValueRow[], rel: Release): string {
  const pipeline = rel.dataValueWriter === 'pipeline';
  const blank = (s: string | null) => (pipeline && s === '' ? null : s);
  const values = rows.map((r) => {
    const v: Record<string, unknown> = {
      dataElement: r.dataElement,
      period: r.period,
      orgUnit: r.orgUnit,
      categoryOptionCombo: r.categoryOptionCombo,
      attributeOptionCombo: r.attributeOptionCombo,
      value: r.value,
      storedBy: blank(r.storedBy),
      created: longGmtDate(r.created),
      lastUpdated: longGmtDate(r.lastUpdated),
      comment: blank(r.comment),
      followup: r.followup,
      ...(r.deleted ? { deleted: true } : {}),
    };
    if (pipeline) for (const k of Object.keys(v)) if (v[k] === null) delete v[k];
    return v;
  });
  return JSON.stringify({ dataValues: values });
}

export function registrationsBody(rows: readonly RegistrationRow[]): string {
  const items = rows.map((r) => {
    const o: Record<string, unknown> = {
      dataSet: r.dataSet,
      period: r.period,
      organisationUnit: r.organisationUnit,
      attributeOptionCombo: r.attributeOptionCombo,
      date: sqlDate(r.date),
      storedBy: r.storedBy,
      lastUpdatedBy: r.lastUpdatedBy,
      lastUpdated: sqlDate(r.lastUpdated),
      completed: r.completed,
    };
    for (const k of Object.keys(o)) if (o[k] === null) delete o[k];
    return o;
  });
  return JSON.stringify({ completeDataSetRegistrations: items });
}

export const eventsBody = (events: readonly object[]) => JSON.stringify({ events });

export const trackedEntitiesBody = (teis: readonly object[]) =>
  JSON.stringify({ trackedEntityInstances: teis });
