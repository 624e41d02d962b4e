/**
 * Plans a metadata import (issue 4 §2): decides per object create / update / unchanged / delete
 * / ignored, with DHIS2 error reports, from the prepared payload and the store look-ups. Pure:
 * the caller runs it inside the write transaction, so the look-ups cannot go stale.
 *
 * Under atomicMode ALL any error means nothing is written; under NONE the invalid objects (and,
 * transitively, objects whose references only pointed at invalid ones) are skipped.
 */
import { contentHash, SERVER_PROPERTIES } from './canonical.ts';
import type { ImportParams } from './import-params.ts';
import {
  addStats,
  emptyStats,
  ImportErrorCode as E,
  type ErrorReport,
  type ImportReport,
  type ObjectReport,
  type TypeReport,
} from './import-report.ts';
import {
  codeKey,
  idKey,
  nameKey,
  uniqueKey,
  uniqueValue,
  type PreparedEntry,
} from './prepare-entries.ts';
import { opaquePayload } from './opaque-types.ts';
import { lengthViolation } from './property-limits.ts';
import { DEFAULTS, simpleClassName, type MetadataType } from './types.ts';
import { isValidUid } from '../uid.ts';

export interface StoredMeta {
  type: string;
  id: string;
  code: string | null;
  name: string | null;
  scope: string;
  contentHash: string;
  created: string;
  createdBy: string | null;
  /** For users: the stored password hash (a re-imported DHIS2 bcrypt hash equal to it is no change). */
  passwordHash?: string;
}

export interface ImportLookups {
  /** By idKey(type, id). */
  byId: ReadonlyMap<string, StoredMeta>;
  byCode: ReadonlyMap<string, StoredMeta>;
  byName: ReadonlyMap<string, StoredMeta>;
  byUnique: ReadonlyMap<string, StoredMeta>;
  /** Referenced ids that exist in the store. */
  existing: ReadonlySet<string>;
  /** For ids that may be deleted: the stored objects referencing them (by id, any type). */
  referencedBy: ReadonlyMap<string, readonly { type: string; id: string }[]>;
  /** Stored parent of each stored org unit on the chains above the payload's parents. */
  orgUnitParents?: ReadonlyMap<string, string>;
}

export interface PlanContext {
  params: ImportParams;
  now: Date;
  actorId: string;
  newUid: () => string;
}

export interface PlannedWrite {
  op: 'create' | 'update';
  type: MetadataType;
  id: string;
  code: string | null;
  name: string | null;
  scope: string;
  payload: Record<string, unknown>;
  /** The store's own record of the write (an opaque payload keeps the sender's dates). */
  created: string;
  lastUpdated: string;
  createdBy: string;
  contentHash: string;
  refs: string[];
  /** Plain or pre-hashed password carried by a user object; never stored in the payload. */
  password: string | null;
}

export interface PlannedDelete {
  type: MetadataType;
  id: string;
  code: string | null;
}

export interface ImportPlan {
  writes: PlannedWrite[];
  deletes: PlannedDelete[];
  report: ImportReport;
}

interface Item {
  p: PreparedEntry;
  id: string | null;
  existing: StoredMeta | undefined;
  errors: ErrorReport[];
  op: 'create' | 'update' | 'delete' | null;
}

const DEFAULT_IDS = new Set<string>(Object.values(DEFAULTS));

export function planImport(
  prepared: readonly PreparedEntry[],
  lookups: ImportLookups,
  ctx: PlanContext,
): ImportPlan {
  const { params } = ctx;
  const deleting = params.importStrategy === 'DELETE';
  const items: Item[] = prepared.map((p) => ({
    p,
    id: null,
    existing: undefined,
    errors: [],
    op: null,
  }));
  const err = (it: Item, errorCode: string, message: string, extra: Partial<ErrorReport> = {}) =>
    it.errors.push({
      message,
      mainKlass: it.p.type.klass,
      errorCode,
      ...(it.id ? { mainId: it.id } : {}),
      ...extra,
    });

  // 1. Identity, strategy, required and unique properties: each object on its own.
  const seenIds = new Map<string, Item>();
  const seenUnique = new Map<string, Item>();
  for (const it of items) {
    const { p } = it;
    const klass = simpleClassName(p.type);
    if (!p.object) {
      err(it, E.E4061, `${klass} at index ${p.entry.index} ${p.malformed}`);
      continue;
    }
    if (p.malformed) {
      err(it, E.E4061, `${klass} at index ${p.entry.index}: ${p.malformed}`);
      continue;
    }
    if (p.id !== null && !isValidUid(p.id)) {
      err(it, E.E4014, `Invalid UID \`${p.id}\` for property \`id\``, {
        errorProperty: 'id',
        value: p.id,
      });
      continue;
    }
    const byCode = p.code ? lookups.byCode.get(codeKey(p.type.key, p.scope, p.code)) : undefined;
    const byId = p.id ? lookups.byId.get(idKey(p.type.key, p.id)) : undefined;
    const matchByCode = params.identifier === 'CODE' || (params.identifier === 'AUTO' && !p.id);
    it.existing = matchByCode ? byCode : byId;
    it.id = it.existing?.id ?? p.id ?? (deleting ? null : ctx.newUid());
    if (it.id && seenIds.has(idKey(p.type.key, it.id))) {
      err(
        it,
        E.E5004,
        `Id \`${it.id}\` for type \`${klass}\` exists on more than 1 object in the payload`,
        { errorProperty: 'id', value: it.id },
      );
      continue;
    }
    if (it.id) seenIds.set(idKey(p.type.key, it.id), it);

    if (deleting) {
      if (!it.existing)
        err(
          it,
          E.E5001,
          `No matching object for reference \`${p.id ?? p.code ?? '(none)'}\`; import strategy is DELETE`,
        );
      else if (DEFAULT_IDS.has(it.existing.id))
        err(it, E.E4063, `The default object ${klass} \`${it.existing.id}\` cannot be deleted`);
      else it.op = 'delete';
      continue;
    }
    if (params.importStrategy === 'CREATE' && it.existing)
      err(
        it,
        E.E5000,
        `Found matching object for reference \`${it.id}\`, but import strategy is CREATE`,
      );
    if (params.importStrategy === 'UPDATE' && !it.existing)
      err(
        it,
        E.E5001,
        `No matching object for reference \`${p.id ?? p.code ?? '(none)'}\`, but import strategy is UPDATE`,
      );
    for (const prop of p.type.required) {
      const v = uniqueValue(p.object, prop) ?? p.object[prop];
      if (v === undefined || v === null || v === '')
        err(it, E.E4000, `Missing required property \`${prop}\`.`, {
          errorProperty: prop,
          errorProperties: [prop],
        });
    }
    const unique: [string, string | null, StoredMeta | undefined][] = [
      [
        'code',
        p.code,
        p.code ? lookups.byCode.get(codeKey(p.type.key, p.scope, p.code)) : undefined,
      ],
    ];
    if (p.type.uniqueName)
      unique.push([
        'name',
        p.name,
        p.name ? lookups.byName.get(nameKey(p.type.key, p.name)) : undefined,
      ]);
    for (const prop of p.type.uniqueProperties) {
      const v = uniqueValue(p.object, prop);
      unique.push([prop, v, v ? lookups.byUnique.get(uniqueKey(p.type.key, prop, v)) : undefined]);
    }
    // Every indexed property, `name` also where it is not unique (property-limits.ts).
    const indexed = new Map<string, string | null>([
      ['name', p.name],
      ...unique.map(([k, v]) => [k, v] as const),
    ]);
    for (const [prop, value] of indexed) {
      const tooLong = lengthViolation(prop, value);
      if (tooLong) err(it, E.E4001, tooLong, { errorProperty: prop, errorProperties: [prop] });
    }
    for (const [prop, value, holder] of unique) {
      if (value === null) continue;
      const key = `${p.type.key}\u0000${prop}\u0000${prop === 'code' ? p.scope : ''}\u0000${value}`;
      const twin = seenUnique.get(key);
      if (twin && twin !== it)
        err(
          it,
          E.E5003,
          `Property \`${prop}\` with value \`${value}\` on object ${klass} \`${it.id}\` already exists on object \`${twin.id}\``,
          { errorProperty: prop, value },
        );
      else if (holder && holder.id !== it.id && !seenIds.has(idKey(holder.type, holder.id)))
        err(
          it,
          E.E5003,
          `Property \`${prop}\` with value \`${value}\` on object ${klass} \`${it.id}\` already exists on object \`${holder.id}\``,
          { errorProperty: prop, value },
        );
      seenUnique.set(key, it);
    }
    if (it.errors.length === 0) it.op = it.existing ? 'update' : 'create';
  }

  // 2. References resolve against the payload's valid objects and the store, until stable:
  //    under NONE an object that only pointed at a skipped object is skipped too.
  const deletedIds = new Set(items.filter((i) => i.op === 'delete').map((i) => i.id!));
  let changed = true;
  while (changed) {
    changed = false;
    const valid = new Set(
      items.filter((i) => i.op === 'create' || i.op === 'update').map((i) => i.id!),
    );
    for (const it of items) {
      if (it.op !== 'create' && it.op !== 'update') continue;
      for (const ref of it.p.refs.hard) {
        if (valid.has(ref.id) || (lookups.existing.has(ref.id) && !deletedIds.has(ref.id)))
          continue;
        err(
          it,
          E.E5002,
          `Invalid reference [${ref.id}] on object ${simpleClassName(it.p.type)} [${it.id}] for association \`${ref.path}\``,
          { errorProperty: ref.path, value: ref.id },
        );
      }
      if (it.errors.length > 0) {
        it.op = null;
        changed = true;
      }
    }
  }

  // 3. Organisation unit hierarchies must not loop, also through stored parents.
  const parentOf = new Map<string, string>(lookups.orgUnitParents ?? []);
  for (const it of items)
    if (it.op && it.op !== 'delete' && it.p.type.key === 'organisationUnits') {
      const parent = (it.p.object!.parent as { id?: unknown } | undefined)?.id;
      if (typeof parent === 'string') parentOf.set(it.id!, parent);
      else parentOf.delete(it.id!);
    }
  for (const it of items) {
    if (!it.op || it.op === 'delete' || it.p.type.key !== 'organisationUnits') continue;
    if (!parentOf.has(it.id ?? '')) continue;
    const seen = new Set<string>([it.id!]);
    for (let at = parentOf.get(it.id!); at !== undefined; at = parentOf.get(at)) {
      if (seen.has(at)) {
        err(
          it,
          E.E4062,
          `The parent chain of OrganisationUnit [${it.id}] loops back through [${at}]`,
          { errorProperty: 'parent', value: at },
        );
        it.op = null;
        break;
      }
      seen.add(at);
    }
  }

  // 4. Deletes: nothing that stays may still reference the object.
  if (deleting) {
    for (const it of items) {
      if (it.op !== 'delete') continue;
      const holders = (lookups.referencedBy.get(it.id!) ?? []).filter((h) => !deletedIds.has(h.id));
      if (holders.length > 0) {
        const list = holders
          .slice(0, 10)
          .map((h) => `${h.type} [${h.id}]`)
          .join(', ');
        err(
          it,
          E.E4030,
          `Object could not be deleted because it is associated with another object: ${list}${holders.length > 10 ? ` and ${holders.length - 10} more` : ''}`,
        );
        it.op = null;
      }
    }
  }

  return assemble(items, ctx);
}

function storedPayload(it: Item, ctx: PlanContext): Record<string, unknown> {
  if (it.p.type.opaque) return opaquePayload(it.p.object!, it.id!, ctx.params.skipSharing);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(it.p.object!)) {
    if (SERVER_PROPERTIES.has(k) || k === 'password') continue;
    if (
      ctx.params.skipSharing &&
      (k === 'sharing' || k === 'userAccesses' || k === 'userGroupAccesses' || k === 'publicAccess')
    )
      continue;
    out[k] = v;
  }
  if (out.userCredentials && typeof out.userCredentials === 'object') {
    const { password: _dropped, ...rest } = out.userCredentials as Record<string, unknown>;
    out.userCredentials = rest;
  }
  out.id = it.id;
  if (it.p.type.defaultCategoryCombo && out.categoryCombo === undefined)
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

function assemble(items: Item[], ctx: PlanContext): ImportPlan {
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
    const password = it.p.type.key === 'users' ? passwordOf(it.p.object!) : null;
    if (it.op === 'update') {
      tr.stats.updated++;
      const samePassword = password === null || password === it.existing!.passwordHash;
      if (hash === it.existing!.contentHash && samePassword) {
        tr.stats.unchanged = (tr.stats.unchanged ?? 0) + 1;
        continue;
      }
    } else tr.stats.created++;
    const stamps = {
      created: it.existing?.created ?? now,
      lastUpdated: now,
      createdBy: it.existing?.createdBy ?? ctx.actorId,
    };
    const payload = it.p.type.opaque
      ? body
      : {
          ...body,
          created: stamps.created,
          lastUpdated: stamps.lastUpdated,
          createdBy: { id: stamps.createdBy },
          lastUpdatedBy: { id: ctx.actorId },
        };
    writes.push({
      op: it.op,
      type: it.p.type,
      id: it.id!,
      code: it.p.code,
      name: it.p.name,
      scope: it.p.scope,
      payload,
      ...stamps,
      contentHash: hash,
      refs: [...new Set([...it.p.refs.hard, ...it.p.refs.soft].map((r) => r.id))],
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
