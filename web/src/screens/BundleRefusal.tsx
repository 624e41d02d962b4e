/**
 * Why the server turned a bundle away before importing anything (issue 20 §3: 409 E1004 with the
 * refusal as data), in words an administrator can act on: what the server named (both key
 * fingerprints, the corrupt version, the missing versions) and what to do next.
 */
import { NoticeBox } from '@dhis2/ui';
import type { ReactNode } from 'react';
import { ApiError, errorText, statusOf } from '../api.ts';
import { grouped } from './SigningKey.tsx';
import { i18n } from '../i18n.ts';

/** The refusal in a 409's `response` (docs/protocol.md, "Bundles"). */
export interface Refusal {
  problem: 'key' | 'signature' | 'manifest' | 'layout' | 'snapshot' | 'chain' | string;
  message: string;
  version?: string;
  bundleFingerprint?: string;
  trustedFingerprint?: string | null;
  missing?: string[];
}

/**
 * The refusal a failed upload carries, when the server refused the bundle (not another 409).
 * The upload goes through upload.ts (the runtime reports no upload progress): its error is an
 * ApiError, whose body is the server's WebMessage.
 */
export function refusalOf(e: unknown): Refusal | null {
  if (!(e instanceof ApiError) || e.status !== 409) return null;
  const body = e.body as { errorCode?: unknown; response?: Partial<Refusal> } | null;
  const r = body?.response;
  if (body?.errorCode !== 'E1004' || typeof r?.problem !== 'string') return null;
  return { ...r, problem: r.problem, message: typeof r.message === 'string' ? r.message : '' };
}

const Fingerprint = ({ value, test }: { value: string | null | undefined; test: string }) =>
  value ? (
    <code data-test={test}>{grouped(value)}</code>
  ) : (
    <strong data-test={test}>{i18n.t('none')}</strong>
  );

function explain(r: Refusal): { title: string; detail: ReactNode; hint: ReactNode } {
  switch (r.problem) {
    case 'key':
      return {
        title: i18n.t('Signed with a key this instance does not trust'),
        detail: (
          <dl className="kv">
            <dt>{i18n.t('The bundle was signed with')}</dt>
            <dd>
              <Fingerprint value={r.bundleFingerprint} test="bundle-fingerprint" />
            </dd>
            <dt>{i18n.t('This instance trusts')}</dt>
            <dd>
              <Fingerprint value={r.trustedFingerprint} test="trusted-fingerprint" />
            </dd>
          </dl>
        ),
        hint: (
          <>
            {i18n.t(
              'Ask someone at the central to read out the fingerprint on its Metadata versioning screen (Signing key). If it is the bundle’s, pin the central’s key on this instance under Metadata versioning → Signing key, then import the bundle again. If it is not, the bundle did not come from your central: do not use it.',
            )}{' '}
            <a href="#/versioning">{i18n.t('Open Metadata versioning')}</a>
          </>
        ),
      };
    case 'signature':
      return {
        title: i18n.t('The bundle was changed after it was signed'),
        detail: null,
        hint: i18n.t(
          'Do not use this file. Export the versions again on the central and carry a new copy.',
        ),
      };
    case 'snapshot':
      return {
        title: r.version
          ? i18n.t('{{version}} in the bundle is damaged', { version: r.version })
          : i18n.t('A version in the bundle is damaged'),
        detail: null,
        hint: i18n.t(
          'The file was damaged on the way (a faulty stick or an interrupted copy). Copy it again from the central, or export it again there.',
        ),
      };
    case 'chain':
      return {
        title: r.missing?.length
          ? i18n.t('Versions are missing: {{versions}}', { versions: r.missing.join(', ') })
          : i18n.t('The bundle does not continue from this instance’s version'),
        detail: null,
        hint: r.missing?.length
          ? i18n.t(
              'On the central, export a bundle that starts at {{version}} and import that one (or import a bundle with the missing versions first).',
              { version: r.missing[0] },
            )
          : i18n.t(
              'On the central, export a bundle that starts at the version after this instance’s newest one.',
            ),
      };
    default:
      return {
        title: i18n.t('This file is not a whole offline bundle'),
        detail: null,
        hint: i18n.t(
          'The copy may be incomplete, or the file is something else. Copy it again, or export it again on the central.',
        ),
      };
  }
}

export function RefusalNotice({ refusal }: { refusal: Refusal }) {
  const { title, detail, hint } = explain(refusal);
  return (
    <div data-test="bundle-refused">
      <NoticeBox
        error
        title={i18n.t('Refused, nothing was imported: {{reason}}', { reason: title })}
      >
        <p style={{ margin: 0 }}>{refusal.message}</p>
        {detail}
        <p style={{ margin: '8px 0 0' }}>{hint}</p>
      </NoticeBox>
    </div>
  );
}

/** An upload the server did not take for another reason: busy, too large, not allowed, offline. */
export function UploadFailed({ error }: { error: unknown }) {
  const status = statusOf(error);
  const hint =
    status === 409
      ? i18n.t(
          'A sync is running on this instance. Wait until it has finished (Sync history), then import the bundle again.',
        )
      : status === 413
        ? i18n.t(
            'The bundle is larger than this server accepts (server.bundle.max.size). Export fewer versions per bundle on the central, or ask whoever runs this server to raise the limit.',
          )
        : status === 403
          ? i18n.t('Importing bundles needs the authority to manage metadata (F_METADATA_MANAGE).')
          : null;
  return (
    <div data-test="bundle-upload-failed">
      <NoticeBox error title={i18n.t('The bundle was not imported')}>
        <p style={{ margin: 0 }}>{errorText(error)}</p>
        {hint && <p style={{ margin: '8px 0 0' }}>{hint}</p>}
      </NoticeBox>
    </div>
  );
}
