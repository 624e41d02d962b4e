/** issue 24 §5: readable log lines at a terminal, JSON lines everywhere else. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { chooseLogFormat } from '../../src/logger.ts';

describe('chooseLogFormat', () => {
  it('is pretty on a terminal and JSON on a pipe, a file or CI when left to auto', () => {
    assert.equal(chooseLogFormat('auto', true), 'pretty');
    assert.equal(chooseLogFormat('auto', false), 'json');
  });

  it('obeys an explicit format whatever standard output is', () => {
    assert.equal(chooseLogFormat('json', true), 'json');
    assert.equal(chooseLogFormat('pretty', false), 'pretty');
  });
});

describe('METASYNC_LOG_FORMAT', () => {
  it('defaults to auto and reads json or pretty from the environment', () => {
    assert.equal(loadConfig({}, {}).logFormat, 'auto');
    assert.equal(loadConfig({}, { METASYNC_LOG_FORMAT: 'json' }).logFormat, 'json');
    assert.equal(loadConfig({}, { METASYNC_LOG_FORMAT: 'pretty' }).logFormat, 'pretty');
  });

  it('refuses another value', () => {
    assert.throws(
      () => loadConfig({}, { METASYNC_LOG_FORMAT: 'yaml' }),
      /METASYNC_LOG_FORMAT must be auto, json or pretty/,
    );
  });
});
