/**
 * Why a bundle is refused (issue 20 §3), as data: the reader stops at the first problem and names
 * it, and an import reports it without parsing a message. Thrown inside `errors.bundleRefused`
 * (code BUNDLE_REFUSED, `details` is the refusal) where a stream cannot return a value.
 */
import { AppError, ErrorCode } from '../errors.ts';
import type { ManifestRefusal } from './manifest-signature.ts';

export type BundleRefusal =
  | ManifestRefusal
  /** `manifest.json` is not JSON, not of this format, or not of its shape. */
  | { problem: 'manifest'; message: string }
  /**
   * The tar is not one: unreadable, `manifest.json` not first, an entry the manifest does not
   * name or names elsewhere, a file of another size, or a version missing at the end.
   */
  | { problem: 'layout'; message: string; version?: string }
  /** A version's file is not the snapshot the manifest names: bad gzip, or another MD5. */
  | { problem: 'snapshot'; message: string; version: string }
  /**
   * The bundle does not continue this instance's chain (issue 20 §3): its first new version is
   * not the next one; `missing` names the versions between.
   */
  | { problem: 'chain'; message: string; missing: string[] };

export const bundleRefused = (refusal: BundleRefusal): AppError =>
  new AppError(ErrorCode.BUNDLE_REFUSED, refusal.message, { details: refusal });

/** The refusal an error carries, when it is one. */
export const refusalOf = (e: unknown): BundleRefusal | null =>
  e instanceof AppError && e.code === ErrorCode.BUNDLE_REFUSED
    ? (e.details as BundleRefusal)
    : null;
