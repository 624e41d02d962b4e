/** Scheduler: metadata-sync jobs (list, create, edit, delete, run now), DHIS2's 6-field cron. */
import {
  Button,
  ButtonStrip,
  Modal,
  ModalActions,
  ModalContent,
  ModalTitle,
  NoticeBox,
} from '@dhis2/ui';
import { useDataEngine } from '@dhis2/app-runtime';
import { useState } from 'react';
import type {
  JobConfiguration as Job,
  JobConfigurationList,
} from '../../../src/http/schemas/api-types.ts';
import { errorText, statusOf } from '../api.ts';
import { useApp } from '../context.tsx';
import { i18n } from '../i18n.ts';
import { mutation } from '../runtime.tsx';
import { Loading, useResource } from './common.tsx';
import { JobForm } from './JobForm.tsx';
import { JobTable } from './JobTable.tsx';

const JOBS = { resource: 'jobConfigurations', params: { paging: false } };
// A `create` takes no id in the runtime (it refuses one), so the job's id is in the path.
const run = (id: string) =>
  mutation({ resource: `jobConfigurations/${id}/execute`, type: 'create' });
const DELETE = mutation({
  resource: 'jobConfigurations',
  type: 'delete',
  id: ({ id }) => id as string,
});

export function Scheduler() {
  const { alert } = useApp();
  const engine = useDataEngine();
  const answer = useResource<JobConfigurationList>(JOBS);
  const jobs = { ...answer, data: answer.data?.jobConfigurations };
  const [editing, setEditing] = useState<Job | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Job | null>(null);
  const runNow = async (j: Job) => {
    try {
      await engine.mutate(run(j.id));
      alert(i18n.t('Started “{{name}}”', { name: j.name }));
      setTimeout(() => void jobs.refetch(), 1500);
    } catch (e) {
      alert(i18n.t('Not started: {{error}}', { error: errorText(e) }), 'critical');
    }
  };
  const remove = async (j: Job) => {
    try {
      await engine.mutate(DELETE, { variables: { id: j.id } });
      alert(i18n.t('Deleted “{{name}}”', { name: j.name }));
      setDeleting(null);
      await jobs.refetch();
    } catch (e) {
      alert(i18n.t('Not deleted: {{error}}', { error: errorText(e) }), 'critical');
    }
  };
  const missing = statusOf(jobs.error) === 404;
  return (
    <section aria-labelledby="scheduler-title">
      <h2 id="scheduler-title">{i18n.t('Scheduler')}</h2>
      <div className="panel">
        <div className="row" style={{ marginBottom: 12 }}>
          <Button primary onClick={() => setEditing('new')} disabled={missing}>
            {i18n.t('New metadata sync job')}
          </Button>
        </div>
        {missing ? (
          <NoticeBox warning title={i18n.t('Scheduler not available')}>
            {i18n.t('This server has no /api/jobConfigurations.')}
          </NoticeBox>
        ) : !jobs.data ? (
          <Loading error={jobs.error} />
        ) : (
          <JobTable
            jobs={jobs.data}
            onRun={(j) => void runNow(j)}
            onEdit={setEditing}
            onDelete={setDeleting}
          />
        )}
      </div>
      {editing && (
        <JobForm
          job={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void jobs.refetch();
          }}
        />
      )}
      {deleting && (
        <Modal small onClose={() => setDeleting(null)}>
          <ModalTitle>{i18n.t('Delete job')}</ModalTitle>
          <ModalContent>
            {i18n.t('Delete “{{name}}”? Its schedule stops at once.', { name: deleting.name })}
          </ModalContent>
          <ModalActions>
            <ButtonStrip end>
              <Button onClick={() => setDeleting(null)}>{i18n.t('Cancel')}</Button>
              <Button destructive onClick={() => void remove(deleting)}>
                {i18n.t('Delete')}
              </Button>
            </ButtonStrip>
          </ModalActions>
        </Modal>
      )}
    </section>
  );
}
