/**
 * Logins (issue 3, the lockout of issue 16 §6) and user administration: the first-start
 * superuser and `metasync user create`, which go through the metadata import.
 */
import { authenticate } from '../domain/auth/authenticate.ts';
import { createUser, ensureSuperuser, type Importer } from '../domain/auth/user-admin.ts';
import type { SettingsService } from '../domain/settings/settings-service.ts';
import type { Config } from '../config.ts';
import type { Services } from '../services.ts';
import { cacheLoginFailures } from '../store/cached-login-failures.ts';
import type { Ports } from './ports.ts';

export async function authFeature(
  ports: Ports,
  config: Config,
  settings: SettingsService,
  importer: Importer,
): Promise<Pick<Services, 'auth' | 'users'>> {
  const { clock, hasher } = ports;
  const authDeps = {
    users: ports.stores.users,
    failures: cacheLoginFailures(ports.stores.loginFailures, clock),
    hasher,
    clock,
    policy: config.loginThrottle,
    // DHIS2's setting, read per login through the settings cache (issue 16 §6).
    lockEnabled: () => settings.get('keyLockMultipleFailedLogins'),
    decoyHash: await hasher.hash(ports.newPassword()),
  };
  const userAdmin = { users: ports.stores.users, importMetadata: importer, newUid: ports.newUid };
  return {
    auth: { authenticate: (u, p, address) => authenticate(authDeps, u, p, address) },
    users: {
      create: (input, actor) => createUser(userAdmin, input, actor),
      ensureSuperuser: (password) => ensureSuperuser(userAdmin, password),
    },
  };
}
