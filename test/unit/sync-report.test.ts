/**
 * The sync report's own rules (src/domain/sync/sync-report.ts, issue 6 §4): a new report is
 * RUNNING with every step NOT_EXECUTED, and a step's message is replaced or dropped with its
 * status, so a retried step never shows the previous attempt's message.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newReport, setStep, STEP_NAMES } from '../../src/domain/sync/sync-report.ts';

describe('the sync report', () => {
  it('a new report: RUNNING since now, no attempt yet, every step NOT_EXECUTED in order', () => {
    const at = new Date('2026-02-03T04:05:06.789Z');
    assert.deepEqual(newReport('r1', 'SCHEDULED', 'job:Sync', at), {
      id: 'r1',
      trigger: 'SCHEDULED',
      triggeredBy: 'job:Sync',
      status: 'RUNNING',
      startTime: '2026-02-03T04:05:06.789Z',
      endTime: null,
      attempts: 0,
      steps: STEP_NAMES.map((name) => ({ name, status: 'NOT_EXECUTED' })),
      versions: [],
      fromVersion: null,
      toVersion: null,
      remoteVersion: null,
      error: null,
    });
    assert.deepEqual(STEP_NAMES, ['setUp', 'ping', 'dataPush', 'history', 'versions']);
  });

  it('setStep sets one step’s status and message, leaving the others', () => {
    const r = newReport('r1', 'MANUAL', 'admin', new Date(0));
    setStep(r, 'history', 'FAILED', 'Server Error');
    assert.deepEqual(r.steps[3], { name: 'history', status: 'FAILED', message: 'Server Error' });
    assert.ok(
      r.steps.filter((s) => s.name !== 'history').every((s) => s.status === 'NOT_EXECUTED'),
      JSON.stringify(r.steps),
    );
  });

  it('setStep without a message drops the one the step had (a retried step starts clean)', () => {
    const r = newReport('r1', 'MANUAL', 'admin', new Date(0));
    setStep(r, 'ping', 'FAILED', 'Network is unreachable');
    setStep(r, 'ping', 'RUNNING');
    assert.deepEqual(r.steps[1], { name: 'ping', status: 'RUNNING' });
    assert.ok(!('message' in r.steps[1]!), 'no message key left');
  });
});
