/**
 * The `response` of a WebMessage: DHIS2's report for what was asked (ImportReport,
 * ObjectReport, ImportSummary, MetadataSyncSummary, ...) or an error's details. Documented by
 * the fields these share; each report's own fields follow DHIS2 (contract §6.0.1, §8; see
 * docs/protocol.md and ./json.ts).
 */
import { z } from 'zod';
import { anyJson, documented } from './json.ts';

/**
 * DHIS2's ErrorReport. A field error (issue 17 §5) has `property` and `message`, with DHIS2's
 * `errorProperty` (the same name) and `errorCode`; an import's has `mainKlass` and `value` too.
 */
export const ErrorReportShape = z.object({
  message: z.string(),
  property: z.string().optional(),
  errorProperty: z.string().optional(),
  errorCode: z.string().optional(),
  mainKlass: z.string().optional(),
  value: anyJson.optional(),
  path: z.string().optional(),
});
export const errorReport = documented('ErrorReport', ErrorReportShape, "DHIS2's ErrorReport");

export const ImportStatsShape = z.object({
  created: z.number(),
  updated: z.number(),
  deleted: z.number(),
  ignored: z.number(),
  total: z.number(),
  unchanged: z.number().optional(),
});

export const TypeReportShape = z.object({
  klass: z.string(),
  stats: ImportStatsShape,
  objectReports: z.array(
    z.object({
      klass: z.string(),
      index: z.number(),
      uid: z.string().optional(),
      displayName: z.string().optional(),
      errorReports: z.array(ErrorReportShape),
    }),
  ),
});

/** DHIS2's metadata ImportReport (`POST /api/metadata`, issue 4 §2). */
export const ImportReportShape = z.object({
  responseType: z.literal('ImportReport'),
  status: z.enum(['OK', 'WARNING', 'ERROR']),
  stats: ImportStatsShape,
  typeReports: z.array(TypeReportShape),
});

export const WebMessageResponseShape = z.object({
  responseType: z.string().optional(),
  status: z.string().optional(),
  stats: ImportStatsShape.optional(),
  typeReports: z.array(TypeReportShape).optional(),
  uid: z.string().optional(),
  klass: z.string().optional(),
  errorReports: z.array(ErrorReportShape).optional(),
  importCount: anyJson.optional(),
  conflicts: z.array(anyJson).optional(),
  importSummaries: z.array(anyJson).optional(),
  syncReport: z.string().optional(),
});
export const webMessageResponse = documented(
  'WebMessageResponse',
  WebMessageResponseShape,
  "DHIS2's report for the request (`responseType` names it) or an error's details; `errorReports` holds field errors",
);
