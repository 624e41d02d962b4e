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
import { useState } from 'react';
import type {
  JobConfiguration as Job,
  JobConfigurationList,
} from '../../../src/http/schemas/api-types.ts';
import { api, errorText } from '../api.ts';
import { useApp } from '../context.tsx';
import { i18n } from '../i18n.ts';
import { Loading, useLoad } from './common.tsx';
import { JobForm } from './JobForm.tsx';
import { JobTable } from './JobTable.tsx';

export function Scheduler() {
  const { alert } = useApp();
  const jobs = useLoad(() =>
    api<JobConfigurationList>('/api/jobConfigurations?paging=false').then(
      (r) => r.jobConfigurations,
    ),
  );
  const [editing, setEditing] = useState<Job | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Job | null>(null);
  const run = async (j: Job) => {
    try {
      await api(`/api/jobConfigurations/${j.id}/execute`, { method: 'POST' });
      alert(i18n.t('Started “{{name}}”', { name: j.name }));
      setTimeout(() => void jobs.reload(), 1500);
    } catch (e) {
      alert(i18n.t('Not started: {{error}}', { error: errorText(e) }), 'critical');
    }
  };
  const remove = async (j: Job) => {
    try {
      await api(`/api/jobConfigurations/${j.id}`, { method: 'DELETE' });
      alert(i18n.t('Deleted “{{name}}”', { name: j.name }));
      setDeleting(null);
      await jobs.reload();
    } catch (e) {
      alert(i18n.t('Not deleted: {{error}}', { error: errorText(e) }), 'critical');
    }
  };
  const missing = jobs.status === 404;
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
            onRun={(j) => void run(j)}
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
            void jobs.reload();
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
