/**
 * Response schemas of the metadata endpoints (`/api/metadata`, `/api/{type}`). A metadata
 * object's properties vary by type (and by DHIS2 release): documented by the identifiable
 * fields every type has, the rest as JSON values (see ./json.ts).
 */
import { z } from 'zod';
import { anyJson, arrayOf, documented } from './json.ts';

/** A metadata object as stored; `fields=` may leave out any property, `id` included. */
export const MetadataObjectShape = z.object({
  id: z.string().optional(),
  code: z.string().optional(),
  name: z.string().optional(),
  displayName: z.string().optional(),
  created: z.string().optional(),
  lastUpdated: z.string().optional(),
  sharing: anyJson.optional(),
  translations: z.array(anyJson).optional(),
  attributeValues: z.array(anyJson).optional(),
});
export const metadataObject = documented(
  'MetadataObject',
  MetadataObjectShape,
  "A DHIS2 metadata object: the identifiable fields every type has; the other properties are the type's own (DHIS2's schema for it)",
);

export const pagerSchema = z
  .object({
    page: z.number(),
    pageCount: z.number(),
    total: z.number(),
    pageSize: z.number(),
    nextPage: z.string().optional(),
    prevPage: z.string().optional(),
  })
  .meta({ id: 'Pager' });

/** `GET /api/{type}`: the pager (unless paging=false), then the page under the type's key. */
export const metadataList = (key: string): z.ZodType<Record<string, unknown>> =>
  z.object({ pager: pagerSchema.optional(), [key]: arrayOf('MetadataObject') });

/** `GET /api/metadata`: the `system` block, then each exported type's objects. */
export const metadataExport: z.ZodType<Record<string, unknown>> = z
  .object({
    system: z.object({ id: z.string(), rev: z.string(), version: z.string(), date: z.string() }),
  })
  .catchall(arrayOf('MetadataObject'))
  .meta({ id: 'MetadataExport' });
