/** The export of a signed offline bundle on a central's versioning screen. */
import { Button, SingleSelectField, SingleSelectOption } from '@dhis2/ui';
import { useState } from 'react';
import { i18n } from '../i18n.ts';

/**
 * A signed offline bundle of a range of versions, for a site without a link (issue 20 §2). The
 * browser downloads it straight from the server (the session cookie authenticates a GET), so a
 * bundle of any size streams to disk instead of passing through the page's memory.
 */
export function ExportBundle({ names }: { names: string[] }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const first = from || names[0]!;
  const last = to || names.at(-1)!;
  const backwards = names.indexOf(first) > names.indexOf(last);
  const href = `/api/metasync/bundles?from=${encodeURIComponent(first)}&to=${encodeURIComponent(last)}`;
  return (
    <div className="panel" data-test="export-bundle">
      <h3>{i18n.t('Offline bundle')}</h3>
      <p className="muted">
        {i18n.t(
          'The versions from one to another in one signed file, for a site without a link: carry it on a USB stick and import it there.',
        )}
      </p>
      <div className="row">
        <SingleSelectField
          label={i18n.t('From')}
          selected={first}
          onChange={({ selected }: { selected: string }) => setFrom(selected)}
        >
          {names.map((n) => (
            <SingleSelectOption key={n} value={n} label={n} />
          ))}
        </SingleSelectField>
        <SingleSelectField
          label={i18n.t('To')}
          selected={last}
          onChange={({ selected }: { selected: string }) => setTo(selected)}
          error={backwards}
          validationText={
            backwards ? i18n.t('{{last}} comes before {{first}}', { last, first }) : undefined
          }
        >
          {names.map((n) => (
            <SingleSelectOption key={n} value={n} label={n} />
          ))}
        </SingleSelectField>
      </div>
      <Button disabled={backwards} onClick={() => window.location.assign(href)}>
        {i18n.t('Export bundle')}
      </Button>
    </div>
  );
}
