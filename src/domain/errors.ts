/**
 * The one error catalogue (house rule 5, aesthetics §9). Every failure the server reports to a
 * client has a code here; `src/http/error-table.ts` maps each code to an HTTP status and a DHIS2
 * `errorCode`, and `docs/errors.md` lists them (a test keeps the three in step).
 *
 * The domain never knows HTTP: a code says *what* went wrong, not how it is rendered.
 */
export const ErrorCode = {
  /** The request is malformed in a way no more specific code covers. */
  BAD_REQUEST: 'BAD_REQUEST',
  /** The request body is not valid JSON. */
  MALFORMED_JSON: 'MALFORMED_JSON',
  /** A parameter, query value or body field failed its schema. */
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  /** No credentials, or wrong ones. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** Too many failed logins for this username: refused until the lock expires. */
  ACCOUNT_LOCKED: 'ACCOUNT_LOCKED',
  /** Authenticated, but the user lacks the authority the route requires. */
  FORBIDDEN: 'FORBIDDEN',
  /** No resource at this path (or no route at all). */
  NOT_FOUND: 'NOT_FOUND',
  /** The path exists, but not for this HTTP method. */
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  /** The request conflicts with the current state (e.g. a duplicate username). */
  CONFLICT: 'CONFLICT',
  /** A `filter` the query parser cannot read (DHIS2's QueryParserException: 409, issue 16 §9). */
  QUERY_INVALID: 'QUERY_INVALID',
  /** The body is larger than `server.max.request.size`. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** The body's Content-Type is not one the route accepts. */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** A system setting key that metasync does not know. */
  SETTING_UNKNOWN: 'SETTING_UNKNOWN',
  /** A system setting value of the wrong type or out of range. */
  SETTING_INVALID: 'SETTING_INVALID',
  /** A `Range` whose first byte is past the end of the snapshot (issue 19 §1; RFC 9110 416). */
  RANGE_NOT_SATISFIABLE: 'RANGE_NOT_SATISFIABLE',
  /** A versioning endpoint was called while keyVersionEnabled is off (contract §6.0). */
  VERSIONING_DISABLED: 'VERSIONING_DISABLED',
  /** A version create found nothing changed since the previous version (metasync; force=true overrides). */
  VERSION_UNCHANGED: 'VERSION_UNCHANGED',
  /** An offline bundle that is not this format, not signed by the trusted key, or corrupt (issue 20). */
  BUNDLE_REFUSED: 'BUNDLE_REFUSED',
  /** A job configuration's cron expression does not parse (issue 8; DHIS2 E7005). */
  CRON_INVALID: 'CRON_INVALID',
  /** A job configuration of a type metasync does not run (only META_DATA_SYNC; issue 8). */
  JOB_TYPE_UNSUPPORTED: 'JOB_TYPE_UNSUPPORTED',
  /** A mail was asked for but no SMTP host is configured (keyEmailHostName; issue 8). */
  EMAIL_NOT_CONFIGURED: 'EMAIL_NOT_CONFIGURED',
  /** The test mail goes to the current user's address, and the user has none (issue 8). */
  USER_EMAIL_MISSING: 'USER_EMAIL_MISSING',
  /** The central failed or answered badly during a sync (network, 5xx, bad snapshot). */
  BAD_GATEWAY: 'BAD_GATEWAY',
  /** The database (or another required dependency) does not answer. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** A bug or broken infrastructure; the details go to the log only. */
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * One input field that is wrong, and why: what a client shows next to that field, so it never
 * has to parse the message (issue 17 §5). `property` is the field's name in the request part it
 * came from (`cronExpression`, `jobParameters.dataValuesPageSize`, a setting's key).
 */
export interface FieldError {
  property: string;
  message: string;
  /** For a schema violation: the field with its request part (`body.name`, `querystring.wait`). */
  path?: string;
}

/** An expected, classified failure. `details` and `fields` are safe to show to the client. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  readonly fields: readonly FieldError[];

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: unknown; cause?: unknown; fields?: readonly FieldError[] } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
    this.fields = options.fields ?? [];
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** Factories keep messages in one place; wording follows DHIS2 where it has one. */
export const errors = {
  badRequest: (message: string, details?: unknown) =>
    new AppError(ErrorCode.BAD_REQUEST, message, { details }),
  validation: (message: string, details?: unknown) =>
    new AppError(ErrorCode.VALIDATION_FAILED, message, { details }),
  /** One field is wrong: the message is the client's whole message and the field's. */
  invalidField: (
    property: string,
    message: string,
    code: ErrorCode = ErrorCode.VALIDATION_FAILED,
  ) => new AppError(code, message, { fields: [{ property, message }] }),
  unauthorized: (message = 'Unauthorized') => new AppError(ErrorCode.UNAUTHORIZED, message),
  accountLocked: () =>
    new AppError(
      ErrorCode.ACCOUNT_LOCKED,
      'The account is temporarily locked after too many failed login attempts. Try again later.',
    ),
  // DHIS2 2.42+ @RequiresAuthority wording (contract §6.0).
  forbidden: (authorities: readonly string[]) =>
    new AppError(
      ErrorCode.FORBIDDEN,
      `Access is denied, requires one Authority from [${authorities.join(', ')}]`,
    ),
  notFound: (message: string) => new AppError(ErrorCode.NOT_FOUND, message),
  conflict: (message: string, details?: unknown) =>
    new AppError(ErrorCode.CONFLICT, message, { details }),
  queryInvalid: (message: string) => new AppError(ErrorCode.QUERY_INVALID, message),
  settingUnknown: (key: string) =>
    new AppError(ErrorCode.SETTING_UNKNOWN, `Setting does not exist: ${key}`, {
      fields: [{ property: key, message: 'Setting does not exist' }],
    }),
  settingInvalid: (key: string, reason: string) =>
    new AppError(ErrorCode.SETTING_INVALID, `Invalid value for setting ${key}: ${reason}`, {
      fields: [{ property: key, message: reason }],
    }),
  rangeNotSatisfiable: (size: number) =>
    new AppError(
      ErrorCode.RANGE_NOT_SATISFIABLE,
      `The requested range is not satisfiable: the snapshot has ${size} bytes`,
    ),
  versioningDisabled: () =>
    new AppError(
      ErrorCode.VERSIONING_DISABLED,
      'Metadata versioning is not enabled for this instance.',
    ),
  unavailable: (message: string, cause?: unknown) =>
    new AppError(ErrorCode.SERVICE_UNAVAILABLE, message, { cause }),
};
