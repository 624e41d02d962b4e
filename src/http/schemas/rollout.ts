/** Request and response schemas of the staged rollout (issue 22). */
import { z } from 'zod';

const member = z.union([
  z.object({ systemId: z.string().max(200) }).strict(),
  z.object({ username: z.string().max(200) }).strict(),
]);

export const rolloutBody = z
  .object({
    enabled: z.boolean(),
    ring: z.array(member).max(1000),
    autoReleaseAfterMinutes: z.number().nullable(),
  })
  .meta({ id: 'RolloutSettings' });

const rolloutShown = z.object({
  enabled: z.boolean(),
  ring: z.array(member),
  autoReleaseAfterMinutes: z.number().nullable(),
});

export const rolloutSchema = z
  .object({
    enabled: z.boolean(),
    ring: z.array(member),
    autoReleaseAfterMinutes: z.number().nullable(),
    updatedBy: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'RolloutConfig' });

const memberStatus = z.object({
  member: z.string(),
  progress: z.enum(['REACHED', 'FAILED', 'NOT_YET']),
  failureKind: z.string().nullable(),
  message: z.string().nullable(),
});

export const withdrawalSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    hashCode: z.string(),
    by: z.string(),
    at: z.string(),
    reason: z.string(),
  })
  .meta({ id: 'Withdrawal' });

export const rolloutVersionsSchema = z
  .object({
    config: rolloutShown,
    versions: z.array(
      z.object({
        name: z.string(),
        id: z.string(),
        type: z.string(),
        created: z.string(),
        state: z.enum(['CANARY', 'HELD', 'RELEASED']),
        canaries: z.array(memberStatus),
      }),
    ),
    withdrawals: z.array(withdrawalSchema),
  })
  .meta({ id: 'RolloutVersions' });

export const rolloutActionBody = z
  .object({ reason: z.string().max(2000) })
  .meta({ id: 'RolloutAction' });

export const rolloutActionSchema = z
  .object({
    version: z.string(),
    action: z.enum(['RELEASE', 'HOLD', 'WITHDRAW']),
    versions: z.array(z.string()),
  })
  .meta({ id: 'RolloutActionResult' });

export const outcomeBody = z
  .object({
    version: z.string().max(100),
    status: z.enum(['SUCCESS', 'FAILED']),
    failureKind: z.string().max(100).nullable().optional(),
    message: z.string().max(4000).nullable().optional(),
  })
  .meta({ id: 'VersionOutcome' });

export const outcomeSchema = z
  .object({ recorded: z.boolean() })
  .meta({ id: 'VersionOutcomeResult' });
