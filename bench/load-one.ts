/**
 * Runs autocannon in its own process (so load generation does not share the server's thread).
 * Usage: node --import tsx bench/load-one.ts <url> <locals|plain> <authorization> <connections> <seconds>
 * With `locals`, request i carries X-Metasync-System-Id local-(i mod 1000): 1,000 distinct locals.
 */
import autocannon from 'autocannon';

const [url, mode, authorization, connections, seconds] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
let i = 0;
const result = await autocannon({
  url: url,
  connections: Number(connections),
  duration: Number(seconds),
  headers: { authorization },
  ...(mode === 'locals'
    ? {
        requests: [
          {
            setupRequest: (req: autocannon.Request) => ({
              ...req,
              headers: { ...req.headers, 'x-metasync-system-id': `local-${i++ % 1000}` },
            }),
          },
        ],
      }
    : {}),
});
const l = result.latency;
console.log(
  JSON.stringify({
    rps: result.requests.average,
    p50: l.p50,
    p90: l.p90,
    p975: l.p97_5,
    p99: l.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  }),
);
