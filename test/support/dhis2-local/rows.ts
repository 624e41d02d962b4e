/**
 * Rows a test queues on an emulated DHIS2 local (issue 16 §12): a data value and a complete
 * registration of the data tests' model, changed at a fixed time.
 */
import { IDS } from '../data.ts';
import type { DataValueRow, RegistrationRow } from './payloads.ts';

export const at = new Date('2024-03-05T10:11:12.345Z');

export const dataValue = (
  period: string,
  value: string,
  extra: Partial<DataValueRow> = {},
): DataValueRow => ({
  dataElement: IDS.deNumber,
  period,
  orgUnit: IDS.ouRoot,
  categoryOptionCombo: IDS.coc,
  attributeOptionCombo: IDS.coc,
  value,
  storedBy: 'admin',
  created: at,
  lastUpdated: at,
  comment: null,
  followup: false,
  ...extra,
});

export const registration = (period: string): RegistrationRow => ({
  dataSet: IDS.dataSet,
  period,
  organisationUnit: IDS.ouRoot,
  attributeOptionCombo: IDS.coc,
  date: at,
  storedBy: 'admin',
  lastUpdatedBy: 'admin',
  lastUpdated: at,
  completed: true,
});
