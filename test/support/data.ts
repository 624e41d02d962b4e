/**
 * Helpers for the data tests (issue 7): a small aggregate + event metadata model with fixed ids,
 * and POST/GET wrappers for the data endpoints.
 */
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { TestServer } from './server.ts';
import { fetchJson } from './versions.ts';

type Json = Record<string, unknown>;

/** The server's committed data change counter (a write that changed nothing leaves it). */
export const dataSeq = async (server: TestServer) =>
  Number(
    (
      await sql<{ seq: string }>`select seq from data_change_counter`.execute(
        server.instance.database.db,
      )
    ).rows[0]!.seq,
  );

export const IDS = {
  ouRoot: 'DataOuRoot1',
  ouChild: 'DataOuChld1',
  deNumber: 'DataDeNumb1',
  deInteger: 'DataDeInte1',
  deBool: 'DataDeBool1',
  deText: 'DataDeText1',
  dataSet: 'DataSetAgg1',
  program: 'DataProgEv1',
  stage: 'DataStageE1',
  coc: 'HllvX50cXC0',
} as const;

const de = (id: string, valueType: string, code: string): Json => ({
  id,
  code,
  name: `Data ${code}`,
  shortName: `Data ${code}`,
  valueType,
  aggregationType: valueType === 'TEXT' ? 'NONE' : 'SUM',
  domainType: 'AGGREGATE',
});

export const DATA_METADATA: Json = {
  organisationUnits: [
    {
      id: IDS.ouRoot,
      code: 'OU_ROOT',
      name: 'Data root',
      shortName: 'Data root',
      openingDate: '2000-01-01',
    },
    {
      id: IDS.ouChild,
      code: 'OU_CHILD',
      name: 'Data child',
      shortName: 'Data child',
      openingDate: '2000-01-01',
      parent: { id: IDS.ouRoot },
    },
  ],
  dataElements: [
    de(IDS.deNumber, 'NUMBER', 'DE_NUMBER'),
    de(IDS.deInteger, 'INTEGER_ZERO_OR_POSITIVE', 'DE_INTEGER'),
    de(IDS.deBool, 'BOOLEAN', 'DE_BOOL'),
    de(IDS.deText, 'TEXT', 'DE_TEXT'),
  ],
  dataSets: [
    {
      id: IDS.dataSet,
      name: 'Data set',
      shortName: 'Data set',
      periodType: 'Monthly',
      dataSetElements: [
        { dataElement: { id: IDS.deNumber } },
        { dataElement: { id: IDS.deInteger } },
      ],
      organisationUnits: [{ id: IDS.ouRoot }, { id: IDS.ouChild }],
    },
  ],
  programs: [
    {
      id: IDS.program,
      name: 'Data event program',
      shortName: 'Data event program',
      programType: 'WITHOUT_REGISTRATION',
      programStages: [{ id: IDS.stage }],
      organisationUnits: [{ id: IDS.ouRoot }],
    },
  ],
  programStages: [
    {
      id: IDS.stage,
      name: 'Data stage',
      program: { id: IDS.program },
      programStageDataElements: [{ dataElement: { id: IDS.deText } }],
    },
  ],
};

export async function importDataMetadata(server: TestServer, body: Json = DATA_METADATA) {
  const r = await fetchJson<{ response?: { status?: string } }>(
    server,
    '/api/metadata?atomicMode=NONE',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    },
  );
  assert.ok(r.status === 200, r.text.slice(0, 2000));
}

export interface SummaryJson {
  responseType: string;
  status: string;
  description?: string;
  importCount: { imported: number; updated: number; ignored: number; deleted: number };
  conflicts: { object: string; value: string; errorCode?: string }[];
}

export async function postValues(
  server: TestServer,
  body: Json,
  query = '',
): Promise<{ status: number; summary: SummaryJson; text: string }> {
  const r = await fetchJson<{ response: SummaryJson }>(server, `/api/dataValueSets${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, summary: r.body?.response, text: r.text };
}

export async function exportValues(server: TestServer, query: string): Promise<Json[]> {
  const r = await fetchJson<{ dataValues: Json[] }>(server, `/api/dataValueSets?${query}`);
  assert.equal(r.status, 200, r.text.slice(0, 1000));
  return r.body.dataValues;
}

export const value = (dataElement: string, period: string, v: string, extra: Json = {}): Json => ({
  dataElement,
  period,
  orgUnit: IDS.ouRoot,
  categoryOptionCombo: IDS.coc,
  attributeOptionCombo: IDS.coc,
  value: v,
  ...extra,
});

/** The values as a comparison key: de/pe/ou → value, sorted. */
export const valueMap = (values: Json[]) =>
  Object.fromEntries(
    values
      .map((v) => [`${String(v.dataElement)}/${String(v.period)}/${String(v.orgUnit)}`, v.value])
      .sort(),
  );
