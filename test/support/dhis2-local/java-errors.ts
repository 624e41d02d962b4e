/**
 * The Java exceptions of a DHIS2 local's sync, by class name: the name decides where DHIS2
 * catches one (RestTemplate wraps IOExceptions, SyncUtils catches three Spring classes) and
 * whether the job's RetryTemplate retries it; `javaMessage` is `getMessage()` (may be null, which
 * the failure e-mail prints as "null").
 */
export class JavaException extends Error {
  constructor(
    readonly javaClass: string,
    readonly javaMessage: string | null,
    readonly javaCause: JavaException | null = null,
  ) {
    super(`${javaClass}: ${String(javaMessage)}`);
  }

  /** DHIS2's `ExceptionUtils.getHelpfulMessage`: the cause's cause's message, if there is one. */
  get helpfulMessage(): string | null {
    const root = this.javaCause?.javaCause;
    return root ? root.javaMessage : this.javaMessage;
  }
}

/** What Jackson throws on content it cannot bind (an IOException). */
export class JacksonError extends JavaException {
  constructor(message: string) {
    super('com.fasterxml.jackson.databind.JsonMappingException', message);
  }
}

export const javaError = (
  javaClass: string,
  message: string | null,
  cause: JavaException | null = null,
) => new JavaException(javaClass, message, cause);

export const MSSE = 'org.hisp.dhis.dxf2.metadata.sync.exception.MetadataSyncServiceException';
export const NPE = 'java.lang.NullPointerException';
export const CANCELLED = 'java.util.concurrent.CancellationException';
export const RESOURCE_ACCESS = 'org.springframework.web.client.ResourceAccessException';
export const SERVER_ERROR = 'org.springframework.web.client.HttpServerErrorException';
export const VERSION_SERVICE =
  'org.hisp.dhis.dxf2.metadata.version.exception.MetadataVersionServiceException';
export const UNAVAILABLE = 'org.hisp.dhis.dxf2.sync.RemoteServerUnavailableException';
export const VERSION_MISMATCH =
  'org.hisp.dhis.dxf2.metadata.sync.exception.DhisVersionMismatchException';
export const RUNTIME = 'java.lang.RuntimeException';
