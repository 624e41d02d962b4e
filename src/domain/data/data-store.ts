/**
 * The port for aggregate data, registrations and events (issue 7). Every write runs in one
 * transaction that first locks the one-row data change counter and numbers its rows from it, so
 * change numbers follow commit order; `committedSeq()` is therefore a safe push cut: every row
 * numbered at or below it is committed, every later write gets a higher number.
 */
import type { DataValue, DataValuePlan } from './data-values.ts';
import type { AnonymousEvent } from './events.ts';
import type { Registration } from './registrations.ts';
import type { TrackerStore } from './tracker-store.ts';

export type IdScheme = 'UID' | 'CODE';

export interface DataValueQuery {
  dataElements?: string[];
  periods?: string[];
  orgUnits?: string[];
  /** Include the descendants of `orgUnits`. */
  children?: boolean;
  lastUpdated?: Date;
  includeDeleted?: boolean;
  limit?: number;
}

/** Rows changed after a watermark, up to a cut, in change order (the push). */
export interface ChangedPage<T> {
  rows: T[];
  /** The seq of the last row (the next page's `after`). */
  lastSeq: number;
}

/** A page of changed rows as JSON text: the array's items joined by commas, without brackets. */
export interface ChangedJson {
  json: string;
  count: number;
  /** As `ChangedPage.lastSeq`. */
  lastSeq: number;
}

export interface ChangeWindow {
  after: number;
  upTo: number;
  limit: number;
  /** syncSkipSyncForDataChangedBefore (contract §11.1 step 2). */
  skipBefore: Date | null;
}

/** Tracked entities (issue 16 §1) share the data change counter, so the port includes them. */
export interface DataStore extends TrackerStore {
  /** The metadata payloads the keys name, by UID or code, for one metadata type. */
  resolve(
    type: string,
    keys: readonly string[],
    scheme: IdScheme,
  ): Promise<Map<string, Record<string, unknown>>>;
  /** One transaction: loads the stored values the page touches, plans, writes (unless dryRun). */
  writeDataValues(
    incoming: readonly DataValue[],
    plan: (stored: ReadonlyMap<string, DataValue>) => DataValuePlan,
    dryRun: boolean,
  ): Promise<DataValuePlan>;
  queryDataValues(q: DataValueQuery): Promise<DataValue[]>;
  changedDataValues(w: ChangeWindow): Promise<ChangedPage<DataValue>>;
  /**
   * The same page as the wire's JSON: `rows.map(wireValue)` serialised, brackets left off, byte
   * for byte. The push sends it as it is, so no value is materialised on the way (issue 18 §3).
   */
  changedDataValuesJson(w: ChangeWindow): Promise<ChangedJson>;
  writeRegistrations<P extends { writes: Registration[] }>(
    incoming: readonly Registration[],
    plan: (stored: ReadonlyMap<string, Registration>) => P,
    dryRun: boolean,
  ): Promise<P>;
  queryRegistrations(q: {
    dataSets?: string[];
    periods?: string[];
    orgUnits?: string[];
  }): Promise<Registration[]>;
  changedRegistrations(w: ChangeWindow): Promise<ChangedPage<Registration>>;
  writeEvents<P extends { writes: AnonymousEvent[] }>(
    incoming: readonly AnonymousEvent[],
    plan: (stored: ReadonlyMap<string, AnonymousEvent>) => P,
    dryRun: boolean,
  ): Promise<P>;
  queryEvents(q: { program?: string; orgUnit?: string; limit?: number }): Promise<AnonymousEvent[]>;
  changedEvents(w: ChangeWindow): Promise<ChangedPage<AnonymousEvent>>;
  markEventsSynchronized(uids: readonly string[], at: Date): Promise<void>;
  /** The committed data change counter. */
  committedSeq(): Promise<number>;
}
