/**
 * Generates valid DHIS2 metadata for tests that must not depend on ../shared: a category model
 * (options → categories → combo), data elements using it, an org unit tree with parents, and
 * option sets whose option codes repeat across sets (as in the COD package). Deterministic for a
 * seed; names and codes carry a prefix so that several generated sets can share one database.
 */
import { generateUid } from '../../src/domain/uid.ts';

/** mulberry32: a small seeded PRNG, uniform integers in [0, n). */
export function seededRandom(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

export const uidSource = (seed: number): (() => string) => {
  const random = seededRandom(seed);
  return () => generateUid(random);
};

type Obj = Record<string, unknown>;

export interface GeneratedMetadata {
  /** The name/code prefix, e.g. `G17`: filter lists with `name:like:G17 `. */
  prefix: string;
  categoryOptions: Obj[];
  categories: Obj[];
  categoryCombos: Obj[];
  dataElements: Obj[];
  organisationUnits: Obj[];
  optionSets: Obj[];
  options: Obj[];
}

export interface GenerateOptions {
  dataElements?: number;
  /** Children of the root and grandchildren per child. */
  orgUnitFanout?: number;
  optionSets?: number;
  optionsPerSet?: number;
}

export function generateMetadata(seed: number, opts: GenerateOptions = {}): GeneratedMetadata {
  const uid = uidSource(seed);
  const prefix = `G${seed}`;
  const n = { dataElements: 5, orgUnitFanout: 2, optionSets: 2, optionsPerSet: 3, ...opts };
  const named = (kind: string, i: number | string) => ({
    id: uid(),
    name: `${prefix} ${kind} ${i}`,
    code: `${prefix}_${kind}_${i}`.toUpperCase(),
  });

  const categoryOptions = ['Male', 'Female'].map((s) => ({ ...named('CO', s), shortName: s }));
  const categories = [
    {
      ...named('CAT', 'Sex'),
      dataDimensionType: 'DISAGGREGATION',
      categoryOptions: categoryOptions.map((o) => ({ id: o.id })),
    },
  ];
  const categoryCombos = [
    {
      ...named('CC', 'Sex'),
      dataDimensionType: 'DISAGGREGATION',
      categories: categories.map((c) => ({ id: c.id })),
    },
  ];

  const optionSets: Obj[] = [];
  const options: Obj[] = [];
  for (let s = 0; s < n.optionSets; s++) {
    const set: Obj = { ...named('OS', s), valueType: 'TEXT' };
    const mine = Array.from({ length: n.optionsPerSet }, (_, i) => ({
      id: uid(),
      name: `${prefix} option ${s}.${i}`,
      code: `OPT_${i}`, // the same codes in every set: unique only within a set
      sortOrder: i + 1,
      optionSet: { id: set.id },
    }));
    set.options = mine.map((o) => ({ id: o.id }));
    optionSets.push(set);
    options.push(...mine);
  }

  const dataElements = Array.from({ length: n.dataElements }, (_, i) => ({
    ...named('DE', i),
    shortName: `${prefix} DE ${i}`,
    valueType: i === 0 && optionSets.length > 0 ? 'TEXT' : 'INTEGER',
    aggregationType: 'SUM',
    domainType: 'AGGREGATE',
    categoryCombo: { id: categoryCombos[0]!.id },
    ...(i === 0 && optionSets.length > 0 ? { optionSet: { id: optionSets[0]!.id } } : {}),
  }));

  const ou = (label: string, parent: Obj | null) => ({
    ...named('OU', label),
    shortName: `${prefix} OU ${label}`,
    openingDate: '2000-01-01T00:00:00.000',
    ...(parent ? { parent: { id: parent.id } } : {}),
  });
  const root = ou('root', null);
  const organisationUnits: Obj[] = [root];
  for (let c = 0; c < n.orgUnitFanout; c++) {
    const child = ou(`${c}`, root);
    organisationUnits.push(child);
    for (let g = 0; g < n.orgUnitFanout; g++) organisationUnits.push(ou(`${c}.${g}`, child));
  }

  return {
    prefix,
    categoryOptions,
    categories,
    categoryCombos,
    dataElements,
    organisationUnits,
    optionSets,
    options,
  };
}

/** The import body of a generated set (the prefix is not a metadata key). */
export function payload(g: GeneratedMetadata): Record<string, Obj[]> {
  const { prefix: _prefix, ...types } = g;
  return types;
}

/** How many objects a generated set holds. */
export const objectCount = (g: GeneratedMetadata): number =>
  Object.values(payload(g)).reduce((sum, list) => sum + list.length, 0);
