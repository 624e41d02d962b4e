/**
 * The last step of a metadata import plan (./plan-import.ts): the report per type, and the rows
 * to write or delete (none under atomicMode ALL when any object failed).
 */
import { contentHash, SERVER_PROPERTIES } from './canonical.ts';
import { addStats, emptyStats, type ObjectReport, type TypeReport } from './import-report.ts';
import { opaquePayload } from './opaque-types.ts';
import type { Item } from './plan-import-objects.ts';
import type { ImportPlan, PlanContext, PlannedDelete, PlannedWrite } from './plan-import-types.ts';
import { DEFAULTS, type MetadataType } from './types.ts';

const storedPayload = (it: Item, ctx: PlanContext) =>
  storedForm(it.p.type, it.p.object!, it.id!, ctx.params.skipSharing);

/**
 * An object as the store keeps it: server properties and passwords dropped (a password is kept
 * hashed, apart), the id given, the default category combo filled in. The drift check compares
 * this form (issue 23 §1: the ignored properties are SERVER_PROPERTIES and passwords).
 */
export function storedForm(
  type: MetadataType,
  object: Record<string, unknown>,
  id: string,
  skipSharing: boolean,
): Record<string, unknown> {
  if (type.opaque) return opaquePayload(object, id, skipSharing);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(object)) {
    if (SERVER_PROPERTIES.has(k) || k === 'password') continue;
    if (
      skipSharing &&
      (k === 'sharing' || k === 'userAccesses' || k === 'userGroupAccesses' || k === 'publicAccess')
    )
      continue;
    out[k] = v;
  }
  if (out.userCredentials && typeof out.userCredentials === 'object') {
    const { password: _dropped, ...rest } = out.userCredentials as Record<string, unknown>;
    out.userCredentials = rest;
  }
  out.id = id;
  if (type.defaultCategoryCombo && out.categoryCombo === undefined)
    out.categoryCombo = { id: DEFAULTS.categoryCombo };
  return out;
}

function passwordOf(object: Record<string, unknown>): string | null {
  const top = object.password;
  const legacy = (object.userCredentials as Record<string, unknown> | undefined)?.password;
  const v =
    typeof top === 'string' && top !== ''
      ? top
      : typeof legacy === 'string' && legacy !== ''
        ? legacy
        : null;
  return v;
}

/** The distinct ids of an object's references (most objects have none or one). */
function distinctIds(hard: readonly { id: string }[], soft: readonly { id: string }[]): string[] {
  if (hard.length + soft.length <= 1) return hard.length ? [hard[0]!.id] : soft.map((r) => r.id);
  const ids = new Set<string>();
  for (const r of hard) ids.add(r.id);
  for (const r of soft) ids.add(r.id);
  return [...ids];
}

export function assemble(items: Item[], ctx: PlanContext): ImportPlan {
  const failed = items.some((i) => i.errors.length > 0);
  const abort = failed && ctx.params.atomicMode === 'ALL';
  const writes: PlannedWrite[] = [];
  const deletes: PlannedDelete[] = [];
  const byType = new Map<string, TypeReport>();
  const now = ctx.now.toISOString();

  for (const it of items) {
    const tr = byType.get(it.p.type.key) ?? {
      klass: it.p.type.klass,
      stats: emptyStats(),
      objectReports: [],
    };
    byType.set(it.p.type.key, tr);
    tr.stats.total++;
    // A failed object's baseline is what the version says it should be (issue 23 §2).
    if (ctx.baseline && it.id && it.p.object && it.op !== 'delete' && it.errors.length > 0)
      ctx.baseline.push({
        type: it.p.type.key,
        id: it.id,
        hash: contentHash(storedPayload(it, ctx), { serverProperties: it.p.type.opaque }),
      });
    if (it.errors.length > 0 || it.op === null || abort) {
      tr.stats.ignored++;
      if (it.errors.length > 0) {
        const report: ObjectReport = {
          klass: it.p.type.klass,
          index: it.p.entry.index,
          errorReports: it.errors,
        };
        if (it.id) report.uid = it.id;
        const label = it.p.name ?? it.p.code;
        if (label) report.displayName = label;
        tr.objectReports.push(report);
      }
      continue;
    }
    if (it.op === 'delete') {
      tr.stats.deleted++;
      deletes.push({ type: it.p.type, id: it.id!, code: it.existing?.code ?? null });
      continue;
    }
    const body = storedPayload(it, ctx);
    // An opaque object is kept as received: every property is content (issue 16 §8).
    const hash = contentHash(body, { serverProperties: it.p.type.opaque });
    ctx.baseline?.push({ type: it.p.type.key, id: it.id!, hash });
    const password = it.p.type.key === 'users' ? passwordOf(it.p.object!) : null;
    if (it.op === 'update') {
      tr.stats.updated++;
      const samePassword = password === null || password === it.existing!.passwordHash;
      if (hash === it.existing!.contentHash && samePassword) {
        tr.stats.unchanged = (tr.stats.unchanged ?? 0) + 1;
        continue;
      }
    } else tr.stats.created++;
    const created = it.existing?.created ?? now;
    const createdBy = it.existing?.createdBy ?? ctx.actorId;
    // The stored payload is `body` with the server's stamps after it (one object, not a copy).
    const payload = body;
    if (!it.p.type.opaque) {
      payload.created = created;
      payload.lastUpdated = now;
      payload.createdBy = { id: createdBy };
      payload.lastUpdatedBy = { id: ctx.actorId };
    }
    writes.push({
      op: it.op,
      type: it.p.type,
      id: it.id!,
      code: it.p.code,
      name: it.p.name,
      scope: it.p.scope,
      payload,
      created,
      lastUpdated: now,
      createdBy,
      contentHash: hash,
      refs: distinctIds(it.p.refs.hard, it.p.refs.soft),
      password,
    });
  }
  if (abort) {
    writes.length = 0;
    deletes.length = 0;
  }
  const stats = emptyStats();
  const typeReports = [...byType.values()];
  for (const tr of typeReports) addStats(stats, tr.stats);
  const status = !failed ? 'OK' : abort ? 'ERROR' : 'WARNING';
  return { writes, deletes, report: { responseType: 'ImportReport', status, stats, typeReports } };
}
