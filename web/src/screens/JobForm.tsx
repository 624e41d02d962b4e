/** The dialog that creates or edits a metadata-sync job: its name, schedule and switch. */
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
import { useDataEngine } from '@dhis2/app-runtime';
import { useState, type FormEvent } from 'react';
import { WEEKDAYS, type Weekday } from '../../../src/domain/jobs/cron.ts';
import type { JobConfiguration as Job } from '../../../src/http/schemas/api-types.ts';
import { errorText, fieldErrorsOf } from '../api.ts';
import { useApp } from '../context.tsx';
import { i18n } from '../i18n.ts';
import { mutation } from '../runtime.tsx';
import {
  DEFAULTS,
  dayNames,
  describe,
  fromCron,
  monthNames,
  scheduleProblems,
  toCron,
  type FormFrequency,
  type Schedule,
} from './schedule.ts';

const CREATE = mutation({
  resource: 'jobConfigurations',
  type: 'create',
  data: (v: Record<string, unknown>) => v.body,
});
const REPLACE = mutation({
  resource: 'jobConfigurations',
  type: 'replace',
  id: ({ id }) => id as string,
  data: (v: Record<string, unknown>) => v.body,
});

export function JobForm({
  job,
  onClose,
  onSaved,
}: {
  job: Job | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { alert } = useApp();
  const engine = useDataEngine();
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
      if (job) await engine.mutate(REPLACE, { variables: { id: job.id, body } });
      else await engine.mutate(CREATE, { variables: { body } });
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
