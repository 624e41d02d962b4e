/**
 * Renders every error as a DHIS2 WebMessage with the right status (issue 3 §6). Known framework
 * errors (bad JSON, body too large, unsupported media type, schema failures) are classified;
 * anything else is a 500 whose details go only to the log, with the request id.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, ErrorCode, isAppError } from '../domain/errors.ts';
import { ERROR_TABLE } from './error-table.ts';
import { errorSummary, summaryTypeFor } from './push-summary.ts';
import { webMessage } from './web-message.ts';

export function sendError(reply: FastifyReply, error: AppError): FastifyReply {
  const wire = ERROR_TABLE[error.code];
  // The web UI marks its calls (as DHIS2's apps do) so the browser shows no Basic dialog.
  const fromUi = reply.request.headers['x-requested-with'] === 'XMLHttpRequest';
  if ((error.code === ErrorCode.UNAUTHORIZED || error.code === ErrorCode.ACCOUNT_LOCKED) && !fromUi)
    void reply.header('WWW-Authenticate', 'Basic realm="DHIS2"');
  // A data push's error carries the summary the local parses (issue 16 §2, ./push-summary.ts).
  const summaryType = summaryTypeFor(reply.request);
  const details = withFieldErrors(error, wire.errorCode);
  const response = summaryType ? errorSummary(summaryType, error.message, details) : details;
  return reply
    .code(wire.status)
    .type('application/json; charset=utf-8')
    .send(
      webMessage(wire.status, 'ERROR', error.message, {
        errorCode: wire.errorCode,
        response,
      }),
    );
}

/**
 * The error's field errors as DHIS2 ErrorReports in `response.errorReports` (issue 17 §5):
 * `property` and `message` for the client (the web UI shows each next to its field), with
 * DHIS2's own `errorProperty` (the same name) and `errorCode`, so DHIS2 clients read them too.
 */
function withFieldErrors(error: AppError, errorCode: string | undefined): unknown {
  if (error.fields.length === 0) return error.details;
  const errorReports = error.fields.map((f) => ({
    ...f,
    errorProperty: f.property,
    ...(errorCode ? { errorCode } : {}),
  }));
  const details = typeof error.details === 'object' && error.details !== null ? error.details : {};
  return { ...details, errorReports };
}

/** Maps a thrown value to an AppError; unknown values become INTERNAL (logged by the caller). */
export function classify(error: unknown, limitBytes: number): AppError | null {
  if (isAppError(error)) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const part = error.validationContext ?? 'body';
    const issues = error.validation.map((v) => {
      // instancePath is '/' for the root value and '/a/b' below it: `body`, `querystring.value`.
      const segments = v.instancePath.split('/').filter(Boolean);
      const path = [part, ...segments].join('.');
      // The field within its part (`cronExpression`); the part itself when the whole is wrong.
      return { property: segments.join('.') || part, message: v.message ?? 'is invalid', path };
    });
    const first = issues[0];
    const message = first ? `Invalid ${first.path}: ${first.message}` : 'Invalid request';
    // `path` (with the part: `body.name`) is what these reports said before issue 17; kept, and
    // read by the data push summaries (push-summary.ts).
    return new AppError(ErrorCode.VALIDATION_FAILED, message, { fields: issues });
  }
  const fe = error as Partial<FastifyError>;
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError(
        ErrorCode.MALFORMED_JSON,
        `Malformed JSON body: ${fe.message ?? ''}`.trim(),
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(
        ErrorCode.PAYLOAD_TOO_LARGE,
        `Request body is larger than the limit of ${limitBytes} bytes`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? new AppError(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            `Unsupported media type: ${fe.message ?? ''}`,
          )
        : new AppError(ErrorCode.BAD_REQUEST, 'Content-Length does not match the body');
    case 'FST_ERR_VALIDATION':
      return new AppError(ErrorCode.VALIDATION_FAILED, fe.message ?? 'Invalid request');
    default:
      break;
  }
  // A JSON.parse SyntaxError raised by the body parser carries statusCode 400.
  if (error instanceof SyntaxError && fe.statusCode === 400)
    return new AppError(ErrorCode.MALFORMED_JSON, `Malformed JSON body: ${error.message}`);
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500)
    return new AppError(ErrorCode.BAD_REQUEST, fe.message ?? 'Bad request');
  // Last line of defence for text the inputs' own checks (domain/text.ts) did not cover: both
  // backends refuse U+0000 (22021, or 22P05 in jsonb). The client sent it, so it is a 400; the
  // transaction it failed in rolled back whole.
  if (fe.code === '22021' || fe.code === '22P05')
    return new AppError(
      ErrorCode.BAD_REQUEST,
      'The request holds text that cannot be stored (U+0000 or an unpaired surrogate)',
    );
  return null;
}

/** Renders any thrown value; also used for the router's own errors (see `frameworkErrors`). */
export function errorRenderer(limitBytes: number) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const known = classify(error, limitBytes);
    if (known) {
      if (ERROR_TABLE[known.code].status >= 500) request.log.error({ err: error }, known.message);
      return sendError(reply, known);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(
      reply,
      new AppError(
        ErrorCode.INTERNAL,
        'An internal error occurred; see the server log for request ' + request.id,
      ),
    );
  };
}

/**
 * Errors Node's HTTP parser raises before Fastify sees a request (headers over the size limit,
 * a malformed request line): answered as a WebMessage too, not Fastify's own JSON shape (found
 * by fuzzing, issue 10 §5). The connection is closed afterwards, as Node does.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 431
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 408
        : 400;
  const message =
    status === 431
      ? 'Request headers (or the URL) exceed the size limit'
      : status === 408
        ? 'The request was not received in time'
        : 'Malformed HTTP request';
  const body = JSON.stringify(webMessage(status, 'ERROR', message));
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(error);
}

export function installErrorHandler(app: FastifyInstance, limitBytes: number): void {
  app.setErrorHandler(errorRenderer(limitBytes));
}
