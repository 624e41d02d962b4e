/**
 * Where the data push keeps, per kind, how far the central has the local's changes (issue 7 §4,
 * contract §11): the change number up to which every row went (`seqKey`), DHIS2's timestamp
 * setting of that success (`dateKey`), and the setting that sizes a page (`pageSizeKey`). The
 * offline data bundle (issue 20 §5) reads and moves the same watermarks, so the push and the
 * bundle never send a change twice, nor skip one.
 */
import type { DataKind } from '../bundle/data-manifest.ts';

export interface PushWatermark {
  label: string;
  seqKey: string;
  dateKey: string;
  pageSizeKey: string;
}

export const PUSH_WATERMARKS: Readonly<Record<DataKind, PushWatermark>> = {
  dataValues: {
    label: 'data values',
    seqKey: 'keyLastSuccessfulDataSynchSeq',
    dateKey: 'keyLastSuccessfulDataSynch',
    pageSizeKey: 'dataValuesPageSize',
  },
  completeDataSetRegistrations: {
    label: 'complete registrations',
    seqKey: 'keyLastCompleteDataSetRegistrationSyncSeq',
    dateKey: 'keyLastCompleteDataSetRegistrationSyncSuccess',
    pageSizeKey: 'dataValuesPageSize',
  },
  events: {
    label: 'events',
    seqKey: 'keyLastSuccessfulEventsDataSynchSeq',
    dateKey: 'keyLastSuccessfulEventsDataSynch',
    pageSizeKey: 'eventProgramPageSize',
  },
};
