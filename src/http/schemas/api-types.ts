/**
 * The wire types of metasync's own API, inferred from the route schemas (issue 17 §5): the one
 * place the web UI (web/src, through `import type`, so no zod reaches its bundle) and the test
 * helpers take response types from, instead of writing their own copies.
 */
import type { z } from 'zod';
import type { webMessageSchema } from '../web-message.ts';

export type WebMessage = z.infer<typeof webMessageSchema>;
