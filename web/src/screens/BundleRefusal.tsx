/**
 * Why the server turned a bundle away before importing anything (issue 20 §3: 409 E1004 with the
 * refusal as data), in words an administrator can act on: what the server named (both key
 * fingerprints, the corrupt version, the missing versions) and what to do next.
 */
import { NoticeBox } from '@dhis2/ui';
import type { ReactNode } from 'react';
import { ApiError, errorText } from '../api.ts';
import { grouped } from './SigningKey.tsx';

/** The refusal in a 409's `response` (docs/protocol.md, "Bundles"). */
export interface Refusal {
  problem: 'key' | 'signature' | 'manifest' | 'layout' | 'snapshot' | 'chain' | string;
  message: string;
  version?: string;
  bundleFingerprint?: string;
  trustedFingerprint?: string | null;
  missing?: string[];
}

/** The refusal a failed upload carries, when the server refused the bundle (not another 409). */
export function refusalOf(e: unknown): Refusal | null {
  if (!(e instanceof ApiError) || e.status !== 409) return null;
  const body = e.body as { errorCode?: unknown; response?: Partial<Refusal> } | null;
  const r = body?.response;
  if (body?.errorCode !== 'E1004' || typeof r?.problem !== 'string') return null;
  return { ...r, problem: r.problem, message: typeof r.message === 'string' ? r.message : '' };
}

const Fingerprint = ({ value, test }: { value: string | null | undefined; test: string }) =>
  value ? <code data-test={test}>{grouped(value)}</code> : <strong data-test={test}>none</strong>;

function explain(r: Refusal): { title: string; detail: ReactNode; hint: ReactNode } {
  switch (r.problem) {
    case 'key':
      return {
        title: 'Signed with a key this instance does not trust',
        detail: (
          <dl className="kv">
            <dt>The bundle was signed with</dt>
            <dd>
              <Fingerprint value={r.bundleFingerprint} test="bundle-fingerprint" />
            </dd>
            <dt>This instance trusts</dt>
            <dd>
              <Fingerprint value={r.trustedFingerprint} test="trusted-fingerprint" />
            </dd>
          </dl>
        ),
        hint: (
          <>
            Ask someone at the central to read out the fingerprint on its Metadata versioning screen
            (Signing key). If it is the bundle&apos;s, pin the central&apos;s key on this instance
            under <a href="#/versioning">Metadata versioning → Signing key</a>, then import the
            bundle again. If it is not, the bundle did not come from your central: do not use it.
          </>
        ),
      };
    case 'signature':
      return {
        title: 'The bundle was changed after it was signed',
        detail: null,
        hint: 'Do not use this file. Export the versions again on the central and carry a new copy.',
      };
    case 'snapshot':
      return {
        title: `${r.version ?? 'A version'} in the bundle is damaged`,
        detail: null,
        hint: 'The file was damaged on the way (a faulty stick or an interrupted copy). Copy it again from the central, or export it again there.',
      };
    case 'chain':
      return {
        title: r.missing?.length
          ? `Versions are missing: ${r.missing.join(', ')}`
          : 'The bundle does not continue from this instance’s version',
        detail: null,
        hint: r.missing?.length
          ? `On the central, export a bundle that starts at ${r.missing[0]} and import that one (or import a bundle with the missing versions first).`
          : 'On the central, export a bundle that starts at the version after this instance’s newest one.',
      };
    default:
      return {
        title: 'This file is not a whole offline bundle',
        detail: null,
        hint: 'The copy may be incomplete, or the file is something else. Copy it again, or export it again on the central.',
      };
  }
}

export function RefusalNotice({ refusal }: { refusal: Refusal }) {
  const { title, detail, hint } = explain(refusal);
  return (
    <div data-test="bundle-refused">
      <NoticeBox error title={`Refused, nothing was imported: ${title}`}>
        <p style={{ margin: 0 }}>{refusal.message}</p>
        {detail}
        <p style={{ margin: '8px 0 0' }}>{hint}</p>
      </NoticeBox>
    </div>
  );
}

/** An upload the server did not take for another reason: busy, too large, not allowed, offline. */
export function UploadFailed({ error }: { error: unknown }) {
  const status = error instanceof ApiError ? error.status : null;
  const hint =
    status === 409
      ? 'A sync is running on this instance. Wait until it has finished (Sync history), then import the bundle again.'
      : status === 413
        ? 'The bundle is larger than this server accepts (server.bundle.max.size). Export fewer versions per bundle on the central, or ask whoever runs this server to raise the limit.'
        : status === 403
          ? 'Importing bundles needs the authority to manage metadata (F_METADATA_MANAGE).'
          : null;
  return (
    <div data-test="bundle-upload-failed">
      <NoticeBox error title="The bundle was not imported">
        <p style={{ margin: 0 }}>{errorText(error)}</p>
        {hint && <p style={{ margin: '8px 0 0' }}>{hint}</p>}
      </NoticeBox>
    </div>
  );
}
