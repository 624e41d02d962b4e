/** Scheduler: metadata-sync jobs (list, create, edit, delete, run now), DHIS2's 6-field cron. */
import {
  Button,
  ButtonStrip,
  InputField,
  Modal,
  ModalActions,
  ModalContent,
  ModalTitle,
  NoticeBox,
  SingleSelectField,
  SingleSelectOption,
  SwitchField,
} from '@dhis2/ui';
import { useState, type FormEvent } from 'react';
import {
  cronToPreset,
  presetProblems,
  presetToCron,
  WEEKDAYS,
  type Frequency,
  type Preset,
  type PresetProblem,
  type Weekday,
} from '../../../src/domain/jobs/cron.ts';
import { api, errorText, fieldErrorsOf } from '../api.ts';
import { when } from '../format.ts';
import { i18n, uiLocale } from '../i18n.ts';
import { useApp } from '../context.tsx';
import { Loading, SimpleTable, StatusTag, useLoad } from './common.tsx';

import type {
  JobConfiguration as Job,
  JobConfigurationList,
} from '../../../src/http/schemas/api-types.ts';

/** The form's choices: the domain's presets (all but hourly) or a cron expression as typed. */
type FormFrequency = 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY' | 'CRON';
/** Weekday and month names in the UI's language (Sunday first, as `WEEKDAYS`). */
const dayNames = (): string[] =>
  [0, 1, 2, 3, 4, 5, 6].map((d) =>
    new Intl.DateTimeFormat(uiLocale(), { weekday: 'long', timeZone: 'UTC' }).format(
      Date.UTC(2023, 0, 1 + d), // 1 January 2023 was a Sunday
    ),
  );
const monthNames = (): string[] =>
  Array.from({ length: 12 }, (_, m) =>
    new Intl.DateTimeFormat(uiLocale(), { month: 'long', timeZone: 'UTC' }).format(
      Date.UTC(2023, m, 1),
    ),
  );

/** The form's state: the inputs' text as typed (checked by the domain's `presetProblems`). */
interface Schedule {
  frequency: FormFrequency;
  time: string;
  weekday: Weekday;
  day: string;
  month: string;
  cron: string;
}

/** The domain's preset for the form (only the fields its frequency uses are checked). */
function toPreset(s: Schedule & { frequency: Frequency }): Preset {
  return {
    frequency: s.frequency,
    time: s.time,
    ...(s.frequency === 'WEEKLY' ? { dayOfWeek: s.weekday } : {}),
    ...(s.frequency === 'MONTHLY' || s.frequency === 'YEARLY' ? { dayOfMonth: Number(s.day) } : {}),
    ...(s.frequency === 'YEARLY' ? { month: Number(s.month) } : {}),
  };
}

const isPreset = (s: Schedule): s is Schedule & { frequency: Frequency } => s.frequency !== 'CRON';

/** The form's field for each of the domain's preset problems. */
const FIELD: Record<PresetProblem['property'], string> = {
  time: 'time',
  dayOfMonth: 'day',
  month: 'month',
};

/** Field errors of a preset schedule, from the domain's own checks (issue 17 §6). */
export function scheduleProblems(s: Schedule): Record<string, string> {
  if (!isPreset(s)) return {};
  return Object.fromEntries(presetProblems(toPreset(s)).map((p) => [FIELD[p.property], p.message]));
}

/** The 6-field DHIS2 cron (sec min hour day month weekday): the domain's `presetToCron`. */
export function toCron(s: Schedule): string {
  return isPreset(s) ? presetToCron(toPreset(s)) : s.cron.trim();
}

const DEFAULTS: Schedule = {
  frequency: 'DAILY',
  time: '03:00',
  weekday: 'MON',
  day: '1',
  month: '1',
  cron: '0 0 3 ? * *',
};

/** The reverse, for editing: the form of the domain's preset, else the CRON form. */
export function fromCron(cron: string): Schedule {
  const p = cronToPreset(cron);
  if (!p || p.frequency === 'HOURLY') return { ...DEFAULTS, frequency: 'CRON', cron };
  return {
    ...DEFAULTS,
    cron,
    frequency: p.frequency,
    time: p.time,
    weekday: p.dayOfWeek ?? 'MON',
    day: String(p.dayOfMonth ?? 1),
    month: String(p.month ?? 1),
  };
}

export function describe(cron: string): string {
  const p = cronToPreset(cron);
  switch (p?.frequency) {
    case 'HOURLY':
      return i18n.t('Hourly at minute {{minute}}', { minute: Number(p.time.slice(3)) });
    case 'DAILY':
      return i18n.t('Daily at {{time}}', { time: p.time });
    case 'WEEKLY':
      return i18n.t('Weekly on {{day}} at {{time}}', {
        day: dayNames()[WEEKDAYS.indexOf(p.dayOfWeek ?? 'MON')],
        time: p.time,
      });
    case 'MONTHLY':
      return i18n.t('Monthly on day {{day}} at {{time}}', { day: p.dayOfMonth ?? 1, time: p.time });
    case 'YEARLY':
      return i18n.t('Yearly on {{day}} {{month}} at {{time}}', {
        day: p.dayOfMonth ?? 1,
        month: monthNames()[(p.month ?? 1) - 1],
        time: p.time,
      });
    default:
      return cron;
  }
}

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
            rows={jobs.data.map((j) => [
              j.name,
              describe(j.cronExpression),
              j.enabled ? i18n.t('Yes') : i18n.t('No'),
              j.lastExecutedStatus ? (
                <StatusTag key="s" status={j.lastExecutedStatus} />
              ) : (
                j.jobStatus
              ),
              when(j.lastExecuted),
              j.enabled ? when(j.nextExecutionTime) : '—',
              <div className="row" style={{ flexWrap: 'nowrap' }} key="a">
                <Button small onClick={() => void run(j)}>
                  {i18n.t('Run now')}
                </Button>
                <Button small onClick={() => setEditing(j)}>
                  {i18n.t('Edit')}
                </Button>
                <Button small destructive onClick={() => setDeleting(j)}>
                  {i18n.t('Delete')}
                </Button>
              </div>,
            ])}
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

function JobForm({
  job,
  onClose,
  onSaved,
}: {
  job: Job | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { alert } = useApp();
  const [name, setName] = useState(job?.name ?? i18n.t('Metadata sync'));
  const [enabled, setEnabled] = useState(job?.enabled ?? true);
  const [s, setS] = useState<Schedule>(job ? fromCron(job.cronExpression) : DEFAULTS);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const upd = (patch: Partial<Schedule>) => {
    setS((o) => ({ ...o, ...patch }));
    setErrors({});
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = scheduleProblems(s);
    if (!name.trim()) errs.name = i18n.t('A name is required');
    // Spring's macros (@daily …) are one word; the server gives Spring's reason for the rest.
    const cron = s.cron.trim();
    if (s.frequency === 'CRON' && !cron.startsWith('@') && cron.split(/\s+/).length !== 6)
      errs.cron = i18n.t(
        'Six fields: second minute hour day-of-month month day-of-week, e.g. 0 0 3 ? * *',
      );
    if (Object.keys(errs).length) {
      setErrors(errs);
      return;
    }
    setBusy(true);
    const body = {
      name: name.trim(),
      jobType: 'META_DATA_SYNC',
      cronExpression: toCron(s),
      enabled,
    };
    try {
      if (job) await api(`/api/jobConfigurations/${job.id}`, { method: 'PUT', body });
      else await api('/api/jobConfigurations', { method: 'POST', body });
      alert(
        i18n.t('Saved “{{name}}” ({{schedule}})', {
          name: body.name,
          schedule: describe(body.cronExpression),
        }),
      );
      onSaved();
    } catch (err) {
      // The server names the field (`response.errorReports`); the rest goes above the buttons.
      const fields = fieldErrorsOf(err);
      const cron = fields.cronExpression;
      if (cron) setErrors({ [s.frequency === 'CRON' ? 'cron' : 'time']: cron });
      else if (fields.name) setErrors({ name: fields.name });
      else setErrors({ form: errorText(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal onClose={onClose} position="middle">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <ModalTitle>{job ? i18n.t('Edit job') : i18n.t('New metadata sync job')}</ModalTitle>
        <ModalContent>
          <div className="form">
            <InputField
              label={i18n.t('Name')}
              name="name"
              value={name}
              onChange={({ value }) => setName(value ?? '')}
              error={Boolean(errors.name)}
              validationText={errors.name}
              required
            />
            <SingleSelectField
              label={i18n.t('Frequency')}
              selected={s.frequency}
              onChange={({ selected }) => upd({ frequency: selected as FormFrequency })}
            >
              <SingleSelectOption value="DAILY" label={i18n.t('Daily')} />
              <SingleSelectOption value="WEEKLY" label={i18n.t('Weekly')} />
              <SingleSelectOption value="MONTHLY" label={i18n.t('Monthly')} />
              <SingleSelectOption value="YEARLY" label={i18n.t('Yearly')} />
              <SingleSelectOption value="CRON" label={i18n.t('Cron expression')} />
            </SingleSelectField>
            {s.frequency === 'WEEKLY' && (
              <SingleSelectField
                label={i18n.t('Day of the week')}
                selected={s.weekday}
                onChange={({ selected }) => upd({ weekday: selected as Weekday })}
              >
                {WEEKDAYS.map((d, i) => (
                  <SingleSelectOption key={d} value={d} label={dayNames()[i]!} />
                ))}
              </SingleSelectField>
            )}
            {s.frequency === 'YEARLY' && (
              <SingleSelectField
                label={i18n.t('Month')}
                selected={s.month}
                onChange={({ selected }) => upd({ month: selected })}
              >
                {monthNames().map((m, i) => (
                  <SingleSelectOption key={i} value={String(i + 1)} label={m} />
                ))}
              </SingleSelectField>
            )}
            {(s.frequency === 'MONTHLY' || s.frequency === 'YEARLY') && (
              <InputField
                label={i18n.t('Day of the month')}
                name="day"
                type="number"
                inputWidth="120px"
                value={s.day}
                onChange={({ value }) => upd({ day: value ?? '' })}
                error={Boolean(errors.day)}
                validationText={errors.day}
              />
            )}
            {s.frequency !== 'CRON' ? (
              <InputField
                label={i18n.t('Time of day')}
                name="time"
                type="time"
                inputWidth="160px"
                value={s.time}
                onChange={({ value }) => upd({ time: value ?? '' })}
                error={Boolean(errors.time)}
                validationText={errors.time}
                helpText={i18n.t('Cron: {{cron}} (server time zone)', {
                  cron: Object.keys(scheduleProblems(s)).length ? '—' : toCron(s),
                })}
              />
            ) : (
              <InputField
                label={i18n.t('Cron expression')}
                name="cron"
                value={s.cron}
                onChange={({ value }) => upd({ cron: value ?? '' })}
                error={Boolean(errors.cron)}
                validationText={errors.cron}
                helpText={i18n.t(
                  'DHIS2’s six fields: second minute hour day-of-month month day-of-week',
                )}
              />
            )}
            <SwitchField
              label={i18n.t('Enabled')}
              name="enabled"
              checked={enabled}
              onChange={({ checked }) => setEnabled(checked)}
            />
            {errors.form && (
              <NoticeBox error title={i18n.t('Not saved')}>
                {errors.form}
              </NoticeBox>
            )}
          </div>
        </ModalContent>
        <ModalActions>
          <ButtonStrip end>
            <Button onClick={onClose}>{i18n.t('Cancel')}</Button>
            <Button type="submit" primary loading={busy}>
              {i18n.t('Save')}
            </Button>
          </ButtonStrip>
        </ModalActions>
      </form>
    </Modal>
  );
}
