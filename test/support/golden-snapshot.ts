/**
 * The fixed input of the snapshot golden file (test/unit/golden/snapshot-small.json): a few
 * objects of three types, the bootstrap admin (left out), two deletions that hold and one that
 * does not (the object was created again). Payloads are written as PostgreSQL's jsonb prints them
 * (`payload::text`), which is what the store hands the snapshot generator.
 */
import { SUPERUSER } from '../../src/domain/auth/users.ts';
import type { Deletion } from '../../src/domain/ports.ts';

export type GoldenStep = { put: { type: string; id: string; text: string } } | { remove: Deletion };

const at = (iso: string) => new Date(iso);

export const GOLDEN_SYSTEM = {
  id: 'golden-system-id',
  rev: 'abc1234',
  version: '2.41.0',
  date: '2026-01-02T03:04:05.678+0000',
};

export const GOLDEN_STEPS: GoldenStep[] = [
  {
    put: {
      type: 'dataElements',
      id: 'deGolden002',
      text: '{"id": "deGolden002", "name": "Weight", "valueType": "NUMBER"}',
    },
  },
  {
    put: {
      type: 'dataElements',
      id: 'deGolden001',
      text: '{"id": "deGolden001", "code": "HEIGHT", "name": "Height (cm)", "valueType": "NUMBER"}',
    },
  },
  {
    put: {
      type: 'categoryOptions',
      id: 'coGolden001',
      text: '{"id": "coGolden001", "name": "Female", "shortName": "F"}',
    },
  },
  {
    put: {
      type: 'organisationUnits',
      id: 'ouGolden001',
      text: '{"id": "ouGolden001", "name": "Ngelehun CHC", "openingDate": "1970-01-01T00:00:00.000", "translations": [{"value": "Ngelehun \u00e9", "locale": "fr", "property": "NAME"}]}',
    },
  },
  {
    put: {
      type: 'users',
      id: SUPERUSER.userId,
      text: `{"id": "${SUPERUSER.userId}", "username": "admin"}`,
    },
  },
  {
    put: { type: 'dataElements', id: 'deGolden003', text: '{"id": "deGolden003", "name": "Gone"}' },
  },
  {
    remove: {
      type: 'dataElements',
      id: 'deGolden003',
      code: null,
      deletedAt: at('2026-01-02T03:00:00.001Z'),
      deletedBy: 'M5zQapPyTZI',
    },
  },
  {
    put: {
      type: 'categoryOptions',
      id: 'coGolden002',
      text: '{"id": "coGolden002", "name": "Male"}',
    },
  },
  {
    remove: {
      type: 'categoryOptions',
      id: 'coGolden002',
      code: 'MALE',
      deletedAt: at('2026-01-02T03:00:00.002Z'),
      deletedBy: null,
    },
  },
  {
    put: {
      type: 'categoryOptions',
      id: 'coGolden002',
      text: '{"id": "coGolden002", "name": "Male again"}',
    },
  },
  {
    remove: {
      type: 'indicators',
      id: 'inGolden001',
      code: 'IND',
      deletedAt: at('2026-01-02T03:00:00.003Z'),
      deletedBy: 'xE7jOejl9FI',
    },
  },
];
