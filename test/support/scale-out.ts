/**
 * Helpers for the scale-out test (issue 10 §3): HTTP calls through nginx (or to one process), and
 * what each metasync child process saw, read from its own request log.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ChildServer } from './child-server.ts';
import { eventually } from './eventually.ts';
import { basic } from './server.ts';

export type Json = Record<string, unknown>;
export type Auth = [string, string] | null;

export interface Reply<T = Json> {
  status: number;
  headers: Headers;
  bytes: Buffer;
  /** The body parsed as JSON when it is JSON, else null. */
  body: T;
}

/** A fetch against `base` with HTTP Basic `auth` unless the call gives its own (null: none). */
export function client(base: string, auth: Auth) {
  return async <T = Json>(
    path: string,
    init: RequestInit & { auth?: Auth; json?: unknown } = {},
  ): Promise<Reply<T>> => {
    const { auth: own, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    const creds = own === undefined ? auth : own;
    if (creds) headers.set('authorization', basic(creds[0], creds[1]));
    if (json !== undefined) headers.set('content-type', 'application/json');
    const res = await fetch(base + path, {
      ...rest,
      headers,
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const isJson = /json/.test(res.headers.get('content-type') ?? '') && bytes.length > 0;
    return {
      status: res.status,
      headers: res.headers,
      bytes,
      body: (isJson ? JSON.parse(bytes.toString('utf8')) : null) as T,
    };
  };
}

export type Client = ReturnType<typeof client>;

/** Asserts a status, showing the body when it differs. */
export function expectStatus(r: Reply<unknown>, ...statuses: number[]): void {
  assert.ok(
    statuses.includes(r.status),
    `expected ${statuses.join('/')}, got ${r.status}: ${r.bytes.toString('utf8', 0, 500)}`,
  );
}

interface LoggedRequest {
  method: string;
  url: string;
}

/** The requests a child logged as received (fastify's "incoming request" lines). */
export const received = (child: ChildServer): LoggedRequest[] =>
  child.logs.flatMap((l) =>
    l.msg === 'incoming request' && l.req ? [l.req as unknown as LoggedRequest] : [],
  );

/**
 * Waits until every child's log has caught up with now: a marker request to each, whose log
 * line comes after every earlier one on the child's stdout.
 */
export async function flushLogs(children: ChildServer[]): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      const marker = `/api/health?flush=${randomUUID()}`;
      await (await fetch(child.url + marker)).arrayBuffer();
      await eventually(async () => assert.ok(received(child).some((r) => r.url === marker)), 5000);
    }),
  );
}

/** How many requests matching `method` and `url` each child received, once logs are flushed. */
export async function servedBy(
  children: ChildServer[],
  method: string,
  url: string | RegExp,
): Promise<number[]> {
  await flushLogs(children);
  const matches = (u: string) => (typeof url === 'string' ? u === url : url.test(u));
  return children.map(
    (c) => received(c).filter((r) => r.method === method && matches(r.url)).length,
  );
}

export const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
