/**
 * How each ErrorCode is rendered on the wire: HTTP status and DHIS2 `errorCode` (contract
 * §6.0.1: BadRequest → E1003, Forbidden → E1006; NotFound E1005 and Conflict E1004 as DHIS2's
 * ErrorCode enum). This table is where DHIS2's quirks live, not the domain.
 */
import { ErrorCode } from '../domain/errors.ts';

export interface WireError {
  status: number;
  errorCode?: string;
}

export const ERROR_TABLE: Record<ErrorCode, WireError> = {
  [ErrorCode.BAD_REQUEST]: { status: 400, errorCode: 'E1003' },
  [ErrorCode.MALFORMED_JSON]: { status: 400, errorCode: 'E1003' },
  [ErrorCode.VALIDATION_FAILED]: { status: 400, errorCode: 'E1003' },
  [ErrorCode.UNAUTHORIZED]: { status: 401 },
  [ErrorCode.ACCOUNT_LOCKED]: { status: 401 },
  [ErrorCode.FORBIDDEN]: { status: 403, errorCode: 'E1006' },
  [ErrorCode.NOT_FOUND]: { status: 404, errorCode: 'E1005' },
  [ErrorCode.METHOD_NOT_ALLOWED]: { status: 405 },
  [ErrorCode.CONFLICT]: { status: 409, errorCode: 'E1004' },
  // CrudControllerAdvice answers QueryParserException with a bare conflict(message).
  [ErrorCode.QUERY_INVALID]: { status: 409 },
  [ErrorCode.PAYLOAD_TOO_LARGE]: { status: 413 },
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: { status: 415 },
  [ErrorCode.SETTING_UNKNOWN]: { status: 400, errorCode: 'E1003' },
  [ErrorCode.SETTING_INVALID]: { status: 400, errorCode: 'E1003' },
  [ErrorCode.RANGE_NOT_SATISFIABLE]: { status: 416 },
  [ErrorCode.VERSIONING_DISABLED]: { status: 400, errorCode: 'E1003' },
  [ErrorCode.VERSION_UNCHANGED]: { status: 409, errorCode: 'E1004' },
  [ErrorCode.BUNDLE_REFUSED]: { status: 409, errorCode: 'E1004' },
  [ErrorCode.CRON_INVALID]: { status: 400, errorCode: 'E7005' },
  [ErrorCode.JOB_TYPE_UNSUPPORTED]: { status: 400, errorCode: 'E1003' },
  [ErrorCode.EMAIL_NOT_CONFIGURED]: { status: 409, errorCode: 'E1004' },
  [ErrorCode.USER_EMAIL_MISSING]: { status: 400, errorCode: 'E1003' },
  [ErrorCode.BAD_GATEWAY]: { status: 502 },
  [ErrorCode.SERVICE_UNAVAILABLE]: { status: 503 },
  [ErrorCode.INTERNAL]: { status: 500 },
};
