/**
 * Turns a value as a client sent it (JSON of any type, or text/plain) into the setting's typed
 * value. DHIS2 accepts both `"true"` and `true`, `"5"` and `5`; we do too, and reject the rest
 * with a reason rather than storing garbage.
 */
import { unstorable } from '../text.ts';
import type { SettingDef } from './registry.ts';

export type SettingValue = string | number | boolean | null;
export type ParseResult = { ok: true; value: SettingValue } | { ok: false; reason: string };

const fail = (reason: string): ParseResult => ({ ok: false, reason });

export function parseSettingValue(def: SettingDef, raw: unknown): ParseResult {
  if (raw === null || raw === undefined) return { ok: true, value: def.default };
  let parsed: ParseResult;
  switch (def.type) {
    case 'boolean':
      parsed =
        raw === true || raw === 'true'
          ? { ok: true, value: true }
          : raw === false || raw === 'false'
            ? { ok: true, value: false }
            : fail('must be true or false');
      break;
    case 'integer': {
      const n =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && /^-?\d+$/.test(raw.trim())
            ? Number(raw)
            : NaN;
      if (!Number.isSafeInteger(n)) parsed = fail('must be an integer');
      else if (def.min !== undefined && n < def.min) parsed = fail(`must be at least ${def.min}`);
      else if (def.max !== undefined && n > def.max) parsed = fail(`must be at most ${def.max}`);
      else parsed = { ok: true, value: n };
      break;
    }
    case 'string':
      parsed = typeof raw === 'string' ? { ok: true, value: raw } : fail('must be a string');
      if (parsed.ok && typeof raw === 'string' && raw.length > 10_000)
        parsed = fail('is longer than 10000 characters');
      // The database refuses such text (jsonb); refuse it here rather than answer 500.
      else if (parsed.ok && typeof raw === 'string' && unstorable(raw))
        parsed = fail('must not contain U+0000 or an unpaired surrogate');
      break;
    case 'date':
      parsed = parseDate(raw);
      break;
  }
  if (parsed.ok && def.check && parsed.value !== null && parsed.value !== '') {
    const reason = def.check(parsed.value);
    if (reason) return fail(reason);
  }
  return parsed;
}

/** Dates are stored as ISO-8601 UTC strings; epoch milliseconds (DHIS2's JSON form) are accepted. */
function parseDate(raw: unknown): ParseResult {
  if (raw === '') return { ok: true, value: null };
  const d =
    typeof raw === 'number'
      ? new Date(raw)
      : typeof raw === 'string' && /^\d+$/.test(raw)
        ? new Date(Number(raw))
        : typeof raw === 'string'
          ? new Date(raw)
          : new Date(NaN);
  return Number.isNaN(d.getTime())
    ? fail('must be an ISO-8601 date or epoch milliseconds')
    : { ok: true, value: d.toISOString() };
}
