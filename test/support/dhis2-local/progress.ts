/**
 * The parts of DHIS2's job machinery that decide what a failed META_DATA_SYNC run does next
 * (issue 16 §12), read from `RecordingJobProgress` (≤2.39 `ControlledJobProgress`), created by
 * the scheduler with `abortOnFailure = true`, and Spring Retry's `RetryContext`:
 *
 * - a failed process or stage (not a failed item of a SKIP_ITEM stage) marks the job cancelled,
 *   and from then on every `startingProcess` throws a CancellationException (no message);
 * - so an attempt after a failure stops at its first step without sending anything: the
 *   RetryTemplate's later attempts never reach the central again.
 */
import { CANCELLED, javaError } from './java-errors.ts';

export class Progress {
  cancelled = false;
  readonly log: string[] = [];

  startingProcess(description: string): void {
    if (this.cancelled) throw javaError(CANCELLED, null);
    this.log.push(`process: ${description}`);
  }

  completed(message: string): void {
    this.log.push(`  done: ${message}`);
  }

  /** `failedProcess` / `failedStage`: the automatic abort. */
  failed(message: string): void {
    this.log.push(`  FAILED: ${message}`);
    this.cancelled = true;
  }

  /** `failedWorkItem` of a SKIP_ITEM stage: logged, the stage goes on. */
  itemFailed(message: string): void {
    this.log.push(`  item failed (skipped): ${message}`);
  }
}

/** Spring Retry's context: attributes survive the attempts; a null value removes one. */
export class RetryContext {
  readonly attributes = new Map<string, unknown>();
  lastThrowable: Error | null = null;
  attempts = 0;

  set(key: string, value: unknown): void {
    if (value === null || value === undefined) this.attributes.delete(key);
    else this.attributes.set(key, value);
  }
}
