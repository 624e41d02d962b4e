/** The scheduler's jobs: name, schedule, state, last and next run, and each one's actions. */
import { Button } from '@dhis2/ui';
import type { JobConfiguration as Job } from '../../../src/http/schemas/api-types.ts';
import { when } from '../format.ts';
import { i18n } from '../i18n.ts';
import { SimpleTable, StatusTag } from './common.tsx';
import { describe } from './schedule.ts';

export function JobTable({
  jobs,
  onRun,
  onEdit,
  onDelete,
}: {
  jobs: Job[];
  onRun: (job: Job) => void;
  onEdit: (job: Job) => void;
  onDelete: (job: Job) => void;
}) {
  return (
    <SimpleTable
      label={i18n.t('Jobs')}
      columns={[
        i18n.t('Name'),
        i18n.t('Schedule'),
        i18n.t('Enabled'),
        i18n.t('Status'),
        i18n.t('Last run'),
        i18n.t('Next run'),
        i18n.t('Actions'),
      ]}
      empty={i18n.t('No jobs yet.')}
      rows={jobs.map((j) => [
        j.name,
        describe(j.cronExpression),
        j.enabled ? i18n.t('Yes') : i18n.t('No'),
        j.lastExecutedStatus ? <StatusTag key="s" status={j.lastExecutedStatus} /> : j.jobStatus,
        when(j.lastExecuted),
        j.enabled ? when(j.nextExecutionTime) : '—',
        <div className="row" style={{ flexWrap: 'nowrap' }} key="a">
          <Button small onClick={() => onRun(j)}>
            {i18n.t('Run now')}
          </Button>
          <Button small onClick={() => onEdit(j)}>
            {i18n.t('Edit')}
          </Button>
          <Button small destructive onClick={() => onDelete(j)}>
            {i18n.t('Delete')}
          </Button>
        </div>,
      ])}
    />
  );
}
