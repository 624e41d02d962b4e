/**
 * Response schemas of the user, session, system and settings endpoints: in a module of their own
 * (zod only), so api-types.ts can give their types to the web UI without its compiler reading
 * the server's routes.
 */
import { z } from 'zod';
import { UI_LOCALES } from '../../domain/settings/ui-locale.ts';

/** `GET /api/me`: the authenticated user and their authorities (DHIS2 shape, subset). */
export const meSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    firstName: z.string(),
    surname: z.string(),
    displayName: z.string(),
    email: z.string().optional(),
    authorities: z.array(z.string()),
    userRoles: z.array(z.object({ id: z.string() })),
    created: z.string(),
    lastUpdated: z.string(),
  })
  .meta({ id: 'Me' });

/** `/api/metasync/session`: the web UI's user, with the CSRF token its writes send. */
export const sessionSchema = z.object({
  username: z.string(),
  displayName: z.string(),
  authorities: z.array(z.string()),
  csrfToken: z.string(),
  /** The UI language: `keyUiLocale`, else the request's Accept-Language, else en (issue 24 §1). */
  locale: z.enum(UI_LOCALES),
});

/** `GET /api/system/info` (contract §6.10). */
export const infoSchema = z
  .object({
    version: z.string(),
    revision: z.string(),
    buildTime: z.string(),
    serverDate: z.string(),
    contextPath: z.string(),
    instanceBaseUrl: z.string(),
    systemId: z.string(),
    systemName: z.string(),
    isMetadataVersionEnabled: z.boolean(),
    systemMetadataVersion: z.string(),
    metasyncVersion: z.string(),
    databaseBackend: z.enum(['pglite', 'postgres']),
  })
  .meta({ id: 'SystemInfo' });

/** `GET /api/systemSettings`: each public setting's value. */
export const settingValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const settingsObject = z.record(z.string(), settingValue).meta({ id: 'SystemSettings' });
