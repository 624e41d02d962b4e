/**
 * Response schemas of the data endpoints (issue 16 §2): DHIS2's aggregate data values,
 * registrations, events and tracked entities. Their items are DHIS2's objects (contract §8):
 * documented by their identifying fields, the rest as JSON values (./json.ts); the lists are
 * passed through unchecked, as they can be large.
 */
import { z } from 'zod';
import { anyJson, arrayOf, documented } from './json.ts';

const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Any JSON object, checked for being one and nothing more: as `z.record(z.string(), z.unknown())`
 * (the same OpenAPI document, the same message) without copying every key of every item, which
 * cost 40 ms per 10k-value page of a push (issue 18 §3). The import validates the fields itself.
 */
const anyObject = z
  .unknown()
  .refine((v) => typeof v === 'object' && v !== null && !Array.isArray(v), {
    error: (issue) => `Invalid input: expected record, received ${kind(issue.input)}`,
  })
  .meta({ type: 'object', additionalProperties: {} }) as unknown as z.ZodType<
  Record<string, unknown>
>;

/** An import's body: a list of objects under `key` (none when absent), other keys as sent. */
export const importBody = (key: string) =>
  z.object({ [key]: z.array(anyObject).default([]) }).catchall(z.unknown());

export const dataValue = documented(
  'DataValue',
  z.object({
    dataElement: z.string(),
    period: z.string(),
    orgUnit: z.string(),
    categoryOptionCombo: z.string(),
    attributeOptionCombo: z.string(),
    value: z.string().nullable().optional(),
    storedBy: z.string().nullable().optional(),
    created: z.string().optional(),
    lastUpdated: z.string().optional(),
    comment: z.string().nullable().optional(),
    followup: z.boolean().optional(),
    deleted: z.boolean().optional(),
  }),
  "DHIS2's DataValue",
);

export const dataValueSetSchema = z
  .object({ dataSet: z.string().optional(), dataValues: arrayOf('DataValue') })
  .meta({ id: 'DataValueSet' });

export const registration = documented(
  'CompleteDataSetRegistration',
  z.object({
    dataSet: z.string(),
    period: z.string(),
    organisationUnit: z.string(),
    attributeOptionCombo: z.string(),
    completed: z.boolean().optional(),
  }),
  "DHIS2's CompleteDataSetRegistration",
);

export const registrationsSchema = z.object({
  completeDataSetRegistrations: arrayOf('CompleteDataSetRegistration'),
});

export const event = documented(
  'Event',
  z.object({
    event: z.string(),
    program: z.string().optional(),
    programStage: z.string().optional(),
    orgUnit: z.string().optional(),
    eventDate: z.string().optional(),
    occurredAt: z.string().optional(),
    status: z.string().optional(),
    dataValues: z.array(anyJson).optional(),
  }),
  "DHIS2's (2.41) Event",
);

export const eventsSchema = z.object({ events: arrayOf('Event') });

export const trackedEntity = documented(
  'TrackedEntityInstance',
  z.object({
    trackedEntityInstance: z.string(),
    trackedEntityType: z.string().optional(),
    orgUnit: z.string().optional(),
    attributes: z.array(anyJson).optional(),
    enrollments: z.array(anyJson).optional(),
  }),
  "DHIS2's (2.41) TrackedEntityInstance with its enrollments and events",
);

export const trackedEntitiesSchema = z.object({
  // In the order DHIS2 2.41 writes it (not the metadata pager's).
  pager: z
    .object({ page: z.number(), pageSize: z.number(), total: z.number(), pageCount: z.number() })
    .optional(),
  trackedEntityInstances: arrayOf('TrackedEntityInstance'),
});
