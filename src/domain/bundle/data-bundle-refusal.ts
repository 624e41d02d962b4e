/**
 * Why a central refuses a local's data bundle (issue 20 §5), as data: the first problem found,
 * before anything is imported. Thrown inside an AppError of code BUNDLE_REFUSED (409, E1004), its
 * `details` the refusal, as the metadata bundle's refusals are (bundle-refusal.ts).
 */
import { AppError, ErrorCode } from '../errors.ts';

export type DataBundleRefusal =
  /** No key is pinned on this central for the local the manifest names. */
  | {
      problem: 'unknown-local';
      message: string;
      systemId: string;
      bundleFingerprint: string;
    }
  /** A key is pinned for that local, and the bundle names another. */
  | {
      problem: 'key';
      message: string;
      systemId: string;
      bundleFingerprint: string;
      trustedFingerprint: string;
    }
  /** The bundle names the pinned key, but its manifest does not match its signature. */
  | { problem: 'signature'; message: string }
  /** `manifest.json` is not JSON, not of this format, or not of its shape. */
  | { problem: 'manifest'; message: string }
  /** The tar is not one, `manifest.json` is not first, or the files are not the manifest's. */
  | { problem: 'layout'; message: string; part?: string }
  /** A part's bytes are not those the manifest names: another size or SHA-256, or not JSON. */
  | { problem: 'part'; message: string; part: string };

export const dataBundleRefused = (refusal: DataBundleRefusal): AppError =>
  new AppError(ErrorCode.BUNDLE_REFUSED, refusal.message, { details: refusal });

/** The refusal an error carries, when it is one. */
export const dataRefusalOf = (e: unknown): DataBundleRefusal | null =>
  e instanceof AppError && e.code === ErrorCode.BUNDLE_REFUSED
    ? (e.details as DataBundleRefusal)
    : null;
