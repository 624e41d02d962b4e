/**
 * One of the drift screen's three lists (changed, created, deleted locally): each object with a
 * checkbox (the repair's "selected objects" scope) and, for a changed object, the properties that
 * differ with the value the applied versions imply and the value live here.
 */
import { num } from '../format.ts';
import { i18n } from '../i18n.ts';
import { Checkbox } from '@dhis2/ui';
import { SimpleTable } from './common.tsx';
import type { DriftReport } from '../../../src/http/schemas/api-types.ts';

type DriftObject = DriftReport['changed'][number];
type DriftPath = NonNullable<DriftObject['paths']>[number];

const valueCell = (v: string | undefined) =>
  v === undefined ? <span className="muted">{i18n.t('(absent)')}</span> : <code>{v}</code>;

/** The differing properties of a changed object, as a compact table. */
export function PathTable({ paths, more }: { paths: DriftPath[]; more?: boolean }) {
  return (
    <table className="drift-paths" data-test="drift-paths">
      <thead>
        <tr>
          <th>{i18n.t('Property')}</th>
          <th>{i18n.t('Applied versions')}</th>
          <th>{i18n.t('Live here')}</th>
        </tr>
      </thead>
      <tbody>
        {paths.map((p) => (
          <tr key={p.path}>
            <td>
              <code>{p.path}</code>
            </td>
            <td>{valueCell(p.implied)}</td>
            <td>{valueCell(p.live)}</td>
          </tr>
        ))}
        {more && (
          <tr>
            <td colSpan={3} className="muted">
              {i18n.t('… more properties differ')}
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

export function DriftList({
  kind,
  title,
  count,
  objects,
  selected,
  onToggle,
}: {
  kind: 'changed' | 'created' | 'deleted';
  title: string;
  count: number;
  objects: DriftObject[];
  selected: ReadonlySet<string>;
  onToggle: (id: string, on: boolean) => void;
}) {
  const changed = kind === 'changed';
  return (
    <div className="panel" data-test={`drift-${kind}`}>
      <h3>{i18n.t('{{title}} ({{n}})', { title, n: num(count) })}</h3>
      <SimpleTable
        label={title}
        columns={[
          i18n.t('Object'),
          i18n.t('Type'),
          i18n.t('Name'),
          i18n.t('Code'),
          ...(kind === 'created' ? [] : [i18n.t('From version')]),
          ...(changed ? [i18n.t('Differences')] : []),
        ]}
        empty={i18n.t('None.')}
        rows={objects.map((o) => [
          <Checkbox
            key="c"
            dense
            name="driftObject"
            value={o.id}
            label={o.id}
            checked={selected.has(o.id)}
            onChange={({ checked }: { checked: boolean }) => onToggle(o.id, checked)}
          />,
          o.type,
          o.name ?? '—',
          o.code ?? '—',
          ...(kind === 'created' ? [] : [o.version ?? '—']),
          ...(changed
            ? [<PathTable key="p" paths={o.paths ?? []} more={o.morePaths ?? false} />]
            : []),
        ])}
      />
      {objects.length < count && (
        <p className="muted">
          {i18n.t('{{shown}} of {{n}} shown.', { shown: num(objects.length), n: num(count) })}
        </p>
      )}
    </div>
  );
}
