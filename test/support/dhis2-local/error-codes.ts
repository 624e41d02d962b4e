/**
 * The constants of DHIS2's `org.hisp.dhis.feedback.ErrorCode` enum per release line, read from
 * `dhis-api/.../feedback/ErrorCode.java` at the newest tag of each line (2.39.10.1, 2.41.9.1,
 * 2.42.5.2, 2.43.1) and written as ranges of their numbers. `ImportConflict.errorCode` is typed
 * as this enum in every release 2.39–2.43 and no mapper enables READ_UNKNOWN_ENUM_VALUES_AS_NULL,
 * so a conflict whose code the local's release lacks makes its whole summary unreadable.
 * 2.43 retired the old data-import codes E7600–E7645 except E7611, E7617 and E7622 (and added
 * E7605 and the E8000–E8204 data-entry codes).
 */
import type { ReleaseLine } from './releases.ts';

const RANGES: Record<ReleaseLine, string> = {
  '2.39':
    '1000-1002 1100-1120 1500-1504 1510-1516 1520-1523 2000-2044 2200-2208 2300-2301 3000-3006 ' +
    '3008-3028 3032 3041 4000-4056 4060 4300-4315 5000-5007 6000-6021 6100-6101 6200-6211 ' +
    '6300-6305 7000 7003-7007 7010 7100-7135 7143-7145 7147 7149 7151 7200-7231 7234 7237-7238 ' +
    '7300-7302 7400 7500-7503 7600-7604 7610-7621 7630-7645 7650-7653 7700-7711',
  '2.41':
    '1000-1006 1100-1122 1125-1128 1134 1500-1504 1510-1516 1520-1523 1530-1533 1540-1543 ' +
    '2000-2048 2200-2213 2300-2301 3000-3005 3008-3032 3040-3042 4000-4070 4089-4092 4300-4315 ' +
    '5000-5008 6000-6022 6100-6103 6200-6211 6300-6305 7000 7003-7007 7010 7020-7024 7100-7147 ' +
    '7149-7152 7180-7181 7200-7232 7234-7238 7250-7251 7300-7302 7400 7500-7503 7600-7604 ' +
    '7610-7622 7630-7645 7650-7653 7700-7712',
  '2.42':
    '1000-1006 1100-1122 1125-1128 1133-1134 1500-1504 1510-1516 1520-1523 1530-1534 1540 ' +
    '1550-1551 2000-2048 2200-2213 2300-2301 3000-3006 3008-3032 3040-3052 4000-4083 4089-4092 ' +
    '4300-4315 5000-5008 6000-6023 6100-6103 6200-6211 6300-6305 6400 7000 7003-7007 7010 ' +
    '7020-7024 7100-7152 7180-7181 7200-7232 7234-7239 7250-7251 7300-7302 7400 7500-7503 ' +
    '7600-7604 7610-7622 7630-7645 7650-7653 7700-7712',
  '2.43':
    '0000 1000-1006 1100-1122 1125-1134 1500-1504 1510-1516 1520-1523 1530-1537 1540 1545-1548 ' +
    '1550-1551 2000-2048 2200-2213 2300-2301 3000-3005 3008-3032 3040-3052 4000-4092 4300-4315 ' +
    '5000-5008 6000-6023 6100-6103 6200-6211 6300-6307 6400 7000 7003-7007 7010 7020-7024 ' +
    '7100-7152 7180-7181 7200-7232 7234-7245 7250-7251 7253 7300-7302 7400 7500-7503 7605 7611 ' +
    '7617 7622 7650-7653 7700-7712 8000-8012 8020-8025 8030-8035 8100-8111 8120-8128 8200-8204',
};

const cache = new Map<ReleaseLine, ReadonlySet<string>>();

export function knownErrorCodes(line: ReleaseLine): ReadonlySet<string> {
  let codes = cache.get(line);
  if (!codes) {
    const names = new Set<string>();
    for (const range of RANGES[line].split(' ')) {
      const [from, to = from] = range.split('-').map(Number) as [number, number?];
      for (let n = from; n <= to; n++) names.add(`E${String(n).padStart(4, '0')}`);
    }
    codes = names;
    cache.set(line, codes);
  }
  return codes;
}
