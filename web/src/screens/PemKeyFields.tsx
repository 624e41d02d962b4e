/**
 * The fields that pin a public key (issue 20 §1, §5): the key read from its file or pasted, its
 * fingerprint shown before anything is pinned (to compare with the one read out over the
 * phone), and the reason the audit log keeps. The central key box and the locals' key box share
 * them; each names its inputs (`names`) so tests and password managers tell them apart.
 */
import { Field, FileInput, InputField, TextAreaField } from '@dhis2/ui';
import { usePemFingerprint } from '../key-fingerprint.ts';
import { grouped } from './SigningKey.tsx';
import { i18n } from '../i18n.ts';

export interface PemKeyFieldsProps {
  names: { file: string; pem: string; reason: string; fingerprint: string };
  fileLabel: string;
  pemLabel: string;
  pem: string;
  setPem(pem: string): void;
  reason: string;
  setReason(reason: string): void;
}

export function PemKeyFields(props: PemKeyFieldsProps) {
  const { names, pem, setPem } = props;
  const fingerprint = usePemFingerprint(pem);
  return (
    <>
      <Field label={props.fileLabel} name={names.file}>
        <FileInput
          name={names.file}
          accept=".pem,.txt,application/x-pem-file,text/plain"
          buttonLabel={i18n.t('Read the key from a file')}
          small
          onChange={({ files }) => void files?.[0]?.text().then(setPem)}
        />
      </Field>
      <TextAreaField
        name={names.pem}
        label={props.pemLabel}
        value={pem}
        onChange={({ value }: { value?: string }) => setPem(value ?? '')}
        placeholder="-----BEGIN PUBLIC KEY-----"
        rows={4}
      />
      {fingerprint && (
        <p data-test={names.fingerprint}>
          {i18n.t('Fingerprint of this key:')} <code>{grouped(fingerprint)}</code>
        </p>
      )}
      <InputField
        name={names.reason}
        label={i18n.t('Reason (optional, for the audit log)')}
        value={props.reason}
        onChange={({ value }: { value?: string }) => props.setReason(value ?? '')}
      />
    </>
  );
}
