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
import { api, ApiError, errorText, when } from '../api.ts';
import { useApp } from '../context.tsx';
import { Loading, SimpleTable, StatusTag, useLoad } from './common.tsx';

interface Job {
  id: string;
  name: string;
  jobType: string;
  cronExpression: string;
  enabled: boolean;
  jobStatus: string;
  lastExecuted?: string;
  lastExecutedStatus?: string;
  nextExecutionTime?: string;
}

type Frequency = 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY' | 'CRON';
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

interface Schedule {
  frequency: Frequency;
  time: string;
  weekday: string;
  day: string;
  month: string;
  cron: string;
}

/** The 6-field DHIS2 cron (sec min hour day month weekday) for a schedule. */
export function toCron(s: Schedule): string {
  if (s.frequency === 'CRON') return s.cron.trim();
  const [h, m] = s.time.split(':').map((x) => String(Number(x)));
  switch (s.frequency) {
    case 'DAILY':
      return `0 ${m} ${h} ? * *`;
    case 'WEEKLY':
      return `0 ${m} ${h} ? * ${s.weekday}`;
    case 'MONTHLY':
      return `0 ${m} ${h} ${s.day} * ?`;
    case 'YEARLY':
      return `0 ${m} ${h} ${s.day} ${s.month} ?`;
  }
}

/** The reverse, for editing: a cron the form can show, else the CRON form. */
export function fromCron(cron: string): Schedule {
  const base: Schedule = {
    frequency: 'CRON',
    time: '03:00',
    weekday: 'MON',
    day: '1',
    month: '1',
    cron,
  };
  const f = cron.trim().split(/\s+/);
  if (f.length !== 6 || f[0] !== '0' || !/^\d+$/.test(f[1]!) || !/^\d+$/.test(f[2]!)) return base;
  const time = `${f[2]!.padStart(2, '0')}:${f[1]!.padStart(2, '0')}`;
  const [, , , day, month, wd] = f as [string, string, string, string, string, string];
  if ((day === '?' || day === '*') && month === '*' && (wd === '*' || wd === '?'))
    return { ...base, frequency: 'DAILY', time };
  if ((day === '?' || day === '*') && month === '*' && DAYS.includes(wd))
    return { ...base, frequency: 'WEEKLY', time, weekday: wd };
  if (/^\d+$/.test(day) && month === '*' && (wd === '?' || wd === '*'))
    return { ...base, frequency: 'MONTHLY', time, day };
  if (/^\d+$/.test(day) && /^\d+$/.test(month) && (wd === '?' || wd === '*'))
    return { ...base, frequency: 'YEARLY', time, day, month };
  return base;
}

export function describe(cron: string): string {
  const s = fromCron(cron);
  switch (s.frequency) {
    case 'DAILY':
      return `Daily at ${s.time}`;
    case 'WEEKLY':
      return `Weekly on ${DAY_NAMES[DAYS.indexOf(s.weekday)]} at ${s.time}`;
    case 'MONTHLY':
      return `Monthly on day ${s.day} at ${s.time}`;
    case 'YEARLY':
      return `Yearly on ${s.day} ${MONTHS[Number(s.month) - 1] ?? s.month} at ${s.time}`;
    case 'CRON':
      return cron;
  }
}

export function Scheduler() {
  const { alert } = useApp();
  const jobs = useLoad(() =>
    api<{ jobConfigurations: Job[] }>('/api/jobConfigurations?paging=false').then(
      (r) => r.jobConfigurations,
    ),
  );
  const [editing, setEditing] = useState<Job | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Job | null>(null);
  const run = async (j: Job) => {
    try {
      await api(`/api/jobConfigurations/${j.id}/execute`, { method: 'POST' });
      alert(`Started “${j.name}”`);
      setTimeout(() => void jobs.reload(), 1500);
    } catch (e) {
      alert(`Not started: ${errorText(e)}`, 'critical');
    }
  };
  const remove = async (j: Job) => {
    try {
      await api(`/api/jobConfigurations/${j.id}`, { method: 'DELETE' });
      alert(`Deleted “${j.name}”`);
      setDeleting(null);
      await jobs.reload();
    } catch (e) {
      alert(`Not deleted: ${errorText(e)}`, 'critical');
    }
  };
  const missing = jobs.error !== null && /No resource/.test(jobs.error);
  return (
    <section aria-labelledby="scheduler-title">
      <h2 id="scheduler-title">Scheduler</h2>
      <div className="panel">
        <div className="row" style={{ marginBottom: 12 }}>
          <Button primary onClick={() => setEditing('new')} disabled={missing}>
            New metadata sync job
          </Button>
        </div>
        {missing ? (
          <NoticeBox warning title="Scheduler not available">
            This server has no /api/jobConfigurations.
          </NoticeBox>
        ) : !jobs.data ? (
          <Loading error={jobs.error} />
        ) : (
          <SimpleTable
            label="Jobs"
            columns={['Name', 'Schedule', 'Enabled', 'Status', 'Last run', 'Next run', 'Actions']}
            empty="No jobs yet."
            rows={jobs.data.map((j) => [
              j.name,
              describe(j.cronExpression),
              j.enabled ? 'Yes' : 'No',
              j.lastExecutedStatus ? (
                <StatusTag key="s" status={j.lastExecutedStatus} />
              ) : (
                j.jobStatus
              ),
              when(j.lastExecuted),
              j.enabled ? when(j.nextExecutionTime) : '—',
              <div className="row" style={{ flexWrap: 'nowrap' }} key="a">
                <Button small onClick={() => void run(j)}>
                  Run now
                </Button>
                <Button small onClick={() => setEditing(j)}>
                  Edit
                </Button>
                <Button small destructive onClick={() => setDeleting(j)}>
                  Delete
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
          <ModalTitle>Delete job</ModalTitle>
          <ModalContent>Delete “{deleting.name}”? Its schedule stops at once.</ModalContent>
          <ModalActions>
            <ButtonStrip end>
              <Button onClick={() => setDeleting(null)}>Cancel</Button>
              <Button destructive onClick={() => void remove(deleting)}>
                Delete
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
  const [name, setName] = useState(job?.name ?? 'Metadata sync');
  const [enabled, setEnabled] = useState(job?.enabled ?? true);
  const [s, setS] = useState<Schedule>(
    job
      ? fromCron(job.cronExpression)
      : {
          frequency: 'DAILY',
          time: '03:00',
          weekday: 'MON',
          day: '1',
          month: '1',
          cron: '0 0 3 ? * *',
        },
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const upd = (patch: Partial<Schedule>) => {
    setS((o) => ({ ...o, ...patch }));
    setErrors({});
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!name.trim()) errs.name = 'A name is required';
    if (s.frequency !== 'CRON' && !/^\d{1,2}:\d{2}$/.test(s.time))
      errs.time = 'A time of day as HH:MM';
    // Spring's macros (@daily …) are one word; the server gives Spring's reason for the rest.
    const cron = s.cron.trim();
    if (s.frequency === 'CRON' && !cron.startsWith('@') && cron.split(/\s+/).length !== 6)
      errs.cron = 'Six fields: second minute hour day-of-month month day-of-week, e.g. 0 0 3 ? * *';
    const d = Number(s.day);
    if (
      (s.frequency === 'MONTHLY' || s.frequency === 'YEARLY') &&
      !(Number.isInteger(d) && d >= 1 && d <= 31)
    )
      errs.day = 'A day from 1 to 31';
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
      alert(`Saved “${body.name}” (${describe(body.cronExpression)})`);
      onSaved();
    } catch (err) {
      const msg = errorText(err);
      if (err instanceof ApiError && /cron/i.test(msg))
        setErrors({ [s.frequency === 'CRON' ? 'cron' : 'time']: msg });
      else if (err instanceof ApiError && /name/i.test(msg)) setErrors({ name: msg });
      else setErrors({ form: msg });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal onClose={onClose} position="middle">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <ModalTitle>{job ? 'Edit job' : 'New metadata sync job'}</ModalTitle>
        <ModalContent>
          <div className="form">
            <InputField
              label="Name"
              name="name"
              value={name}
              onChange={({ value }) => setName(value ?? '')}
              error={Boolean(errors.name)}
              validationText={errors.name}
              required
            />
            <SingleSelectField
              label="Frequency"
              selected={s.frequency}
              onChange={({ selected }) => upd({ frequency: selected as Frequency })}
            >
              <SingleSelectOption value="DAILY" label="Daily" />
              <SingleSelectOption value="WEEKLY" label="Weekly" />
              <SingleSelectOption value="MONTHLY" label="Monthly" />
              <SingleSelectOption value="YEARLY" label="Yearly" />
              <SingleSelectOption value="CRON" label="Cron expression" />
            </SingleSelectField>
            {s.frequency === 'WEEKLY' && (
              <SingleSelectField
                label="Day of the week"
                selected={s.weekday}
                onChange={({ selected }) => upd({ weekday: selected })}
              >
                {DAYS.map((d, i) => (
                  <SingleSelectOption key={d} value={d} label={DAY_NAMES[i]!} />
                ))}
              </SingleSelectField>
            )}
            {s.frequency === 'YEARLY' && (
              <SingleSelectField
                label="Month"
                selected={s.month}
                onChange={({ selected }) => upd({ month: selected })}
              >
                {MONTHS.map((m, i) => (
                  <SingleSelectOption key={m} value={String(i + 1)} label={m} />
                ))}
              </SingleSelectField>
            )}
            {(s.frequency === 'MONTHLY' || s.frequency === 'YEARLY') && (
              <InputField
                label="Day of the month"
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
                label="Time of day"
                name="time"
                type="time"
                inputWidth="160px"
                value={s.time}
                onChange={({ value }) => upd({ time: value ?? '' })}
                error={Boolean(errors.time)}
                validationText={errors.time}
                helpText={`Cron: ${/^\d{1,2}:\d{2}$/.test(s.time) ? toCron(s) : '—'} (server time zone)`}
              />
            ) : (
              <InputField
                label="Cron expression"
                name="cron"
                value={s.cron}
                onChange={({ value }) => upd({ cron: value ?? '' })}
                error={Boolean(errors.cron)}
                validationText={errors.cron}
                helpText="DHIS2's six fields: second minute hour day-of-month month day-of-week"
              />
            )}
            <SwitchField
              label="Enabled"
              name="enabled"
              checked={enabled}
              onChange={({ checked }) => setEnabled(checked)}
            />
            {errors.form && (
              <NoticeBox error title="Not saved">
                {errors.form}
              </NoticeBox>
            )}
          </div>
        </ModalContent>
        <ModalActions>
          <ButtonStrip end>
            <Button onClick={onClose}>Cancel</Button>
            <Button type="submit" primary loading={busy}>
              Save
            </Button>
          </ButtonStrip>
        </ModalActions>
      </form>
    </Modal>
  );
}
