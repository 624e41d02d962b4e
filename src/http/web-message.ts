/**
 * DHIS2's WebMessage envelope (contract §6.0.1): `httpStatus, httpStatusCode, status, message`,
 * plus `errorCode` and `response` where they apply; null fields are omitted.
 */
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { webMessageResponse } from './schemas/web-message-response.ts';

export const webMessageSchema = z
  .object({
    httpStatus: z.string(),
    httpStatusCode: z.number().int(),
    status: z.enum(['OK', 'WARNING', 'ERROR']),
    message: z.string().optional(),
    errorCode: z.string().optional(),
    response: webMessageResponse.optional(),
  })
  .meta({ id: 'WebMessage' });

export type WebMessage = z.infer<typeof webMessageSchema>;

export function webMessage(
  httpStatusCode: number,
  status: WebMessage['status'],
  message?: string,
  extra: { errorCode?: string; response?: unknown } = {},
): WebMessage {
  const out: WebMessage = {
    httpStatus: STATUS_CODES[httpStatusCode] ?? 'Unknown',
    httpStatusCode,
    status,
  };
  if (message !== undefined) out.message = message;
  if (extra.errorCode !== undefined) out.errorCode = extra.errorCode;
  // Any report object: the schema documents what they share (schemas/web-message-response.ts).
  if (extra.response !== undefined) out.response = extra.response as WebMessage['response'];
  return out;
}

export const okMessage = (message: string) => webMessage(200, 'OK', message);
