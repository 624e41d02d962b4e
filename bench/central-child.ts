/**
 * A benchmark's central in a process of its own (so the measured process's peak RSS is its
 * own): starts `script` (bench/central-one.ts, bench/data-central-one.ts) with `args` and waits
 * for the JSON line it prints when ready ({url, password, …}).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

export async function spawnCentral<T extends { url: string; password: string }>(
  script: string,
  args: string[] = [],
): Promise<{ child: ChildProcess; central: T }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, script), ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, METASYNC_TEST_LOG: 'warn' },
    },
  );
  const central = await new Promise<T>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (l) => l.startsWith('{"url"') && resolve(JSON.parse(l) as T));
    child.once('exit', (code) => reject(new Error(`central exited with ${code}`)));
  });
  return { child, central };
}
