/**
 * The client part of the failed-login lock key (issue 16 §6): failures are counted per username
 * and client, so one local with a wrong password locks only itself. The address is the one the
 * HTTP layer resolved (the TCP peer, or the client a trusted proxy names, `server.trusted.proxies`).
 *
 * An IPv6 client is counted by its /64 network: one subscriber usually holds a whole /64, and
 * counting single addresses would give it 2^64 fresh tries. IPv4-mapped IPv6 addresses
 * (`::ffff:10.0.0.1`, what a dual-stack listener reports) count as the IPv4 address.
 */

/** Longest client text kept: a well-formed address is far shorter. */
const MAX_CLIENT = 64;
/** What a client that is no address at all (a misconfigured proxy chain) counts as: one client. */
export const UNPARSABLE_CLIENT = 'unparsable';

export function lockoutClient(address: string | undefined): string {
  if (!address) return '';
  const ip = address.trim().toLowerCase().split('%')[0]!; // drop an IPv6 zone (fe80::1%eth0)
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(ip);
  if (mapped) return mapped[1]!;
  if (ip.includes(':')) return ipv6Prefix64(ip) ?? UNPARSABLE_CLIENT;
  return /^[0-9a-z._:-]+$/.test(ip) && ip.length <= MAX_CLIENT ? ip : UNPARSABLE_CLIENT;
}

/** `2001:db8:1:2:a:b:c:d` → `2001:db8:1:2::/64`; null when `ip` is not IPv6 text. */
function ipv6Prefix64(ip: string): string | null {
  const halves = ip.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string): string[] | null => {
    if (s === '') return [];
    const parts = s.split(':');
    const out: string[] = [];
    for (const [i, p] of parts.entries()) {
      // An embedded IPv4 tail (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) fills the last two groups.
      if (i === parts.length - 1 && /^\d{1,3}(?:\.\d{1,3}){3}$/.test(p)) out.push('0', '0');
      else if (/^[0-9a-f]{1,4}$/.test(p)) out.push(p);
      else return null;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...Array<string>(missing).fill('0'), ...tail];
  return `${all
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
