/** Request and response schemas of the drift check and repair (issue 23). metasync extensions. */
import { z } from 'zod';

const counts = z.object({ changed: z.number(), created: z.number(), deleted: z.number() });

const driftObject = z.object({
  type: z.string(),
  id: z.string(),
  name: z.string().nullable(),
  code: z.string().nullable(),
  version: z.string().optional(),
  paths: z
    .array(
      z.object({ path: z.string(), implied: z.string().optional(), live: z.string().optional() }),
    )
    .optional(),
  morePaths: z.boolean().optional(),
});

export const driftQuery = z.object({
  /** The most objects listed per list (changed, created, deleted); counts are always complete. */
  limit: z.coerce.number().int().min(1).max(10_000).default(500),
  type: z.string().max(100).optional(),
});

export const driftSchema = z
  .object({
    checkedAt: z.string(),
    base: z
      .object({
        kind: z.enum(['VERSIONS', 'REBASELINE']),
        version: z.string(),
        since: z.string(),
        upTo: z.string(),
      })
      .nullable(),
    counts,
    types: z.record(z.string(), counts),
    changed: z.array(driftObject),
    created: z.array(driftObject),
    deleted: z.array(driftObject),
    truncated: z.boolean(),
    ignoredProperties: z.array(z.string()),
  })
  .meta({ id: 'DriftReport' });

export const driftSummarySchema = counts.extend({ checkedAt: z.string() }).nullable();

export const repairBody = z
  .object({
    type: z.string().max(100).optional(),
    ids: z.array(z.string().max(100)).max(10_000).optional(),
    includeCreated: z.boolean().default(false),
    dryRun: z.boolean().default(false),
    reason: z.string().max(2000),
  })
  .meta({ id: 'DriftRepairRequest' });

export const repairSchema = z
  .object({
    dryRun: z.boolean(),
    restored: z.array(driftObject),
    recreated: z.array(driftObject),
    removed: z.array(driftObject),
    failed: z.array(z.object({ type: z.string(), id: z.string(), message: z.string() })),
    after: counts,
  })
  .meta({ id: 'DriftRepairResult' });
