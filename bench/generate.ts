/**
 * A deterministic metadata set of about `n` objects with DHIS2-shaped references: category model,
 * option sets, a 4-level organisation unit tree, and data elements pointing at category combos
 * and option sets. Used by the benchmarks (no fixture needed).
 */
import { generateUid } from '../src/domain/uid.ts';

/** mulberry32: a small seeded PRNG, so every run imports the same objects. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

export function generateMetadata(n: number, seed = 42): Record<string, Record<string, unknown>[]> {
  const rand = prng(seed);
  const uid = () => generateUid(rand);
  const ref = (id: string) => ({ id });
  const size = (share: number) => Math.max(1, Math.floor(n * share));

  const categoryOptions = Array.from({ length: size(0.01) }, (_, i) => ({
    id: uid(),
    name: `Option ${i}`,
    shortName: `Opt ${i}`,
    code: `CO_${i}`,
  }));
  const categories = Array.from({ length: size(0.001) }, (_, i) => ({
    id: uid(),
    name: `Category ${i}`,
    shortName: `Cat ${i}`,
    code: `CAT_${i}`,
    dataDimensionType: 'DISAGGREGATION',
    categoryOptions: [0, 1, 2].map((k) =>
      ref(categoryOptions[(i * 3 + k) % categoryOptions.length]!.id),
    ),
  }));
  const categoryCombos = Array.from({ length: size(0.001) }, (_, i) => ({
    id: uid(),
    name: `Combo ${i}`,
    code: `CC_${i}`,
    dataDimensionType: 'DISAGGREGATION',
    categories: [ref(categories[i % categories.length]!.id)],
  }));
  const optionSets: Record<string, unknown>[] = [];
  const options: Record<string, unknown>[] = [];
  for (let s = 0; s < size(0.001); s++) {
    const setId = uid();
    const ids = Array.from({ length: 8 }, () => uid());
    optionSets.push({
      id: setId,
      name: `Option set ${s}`,
      code: `OS_${s}`,
      valueType: 'TEXT',
      options: ids.map(ref),
    });
    // Codes repeat across sets, as in DHIS2's COD package: unique only within a set.
    ids.forEach((id, k) =>
      options.push({
        id,
        name: `Choice ${k}`,
        code: `C${k}`,
        sortOrder: k + 1,
        optionSet: ref(setId),
      }),
    );
  }
  const organisationUnits: Record<string, unknown>[] = [];
  const ouCount = size(0.38);
  const parents: string[] = [];
  for (let i = 0; i < ouCount; i++) {
    const id = uid();
    const parent = i === 0 ? undefined : parents[Math.floor((i - 1) / 10)];
    organisationUnits.push({
      id,
      name: `Unit ${i}`,
      shortName: `U${i}`,
      code: `OU_${i}`,
      openingDate: '2000-01-01T00:00:00.000',
      ...(parent ? { parent: ref(parent) } : {}),
    });
    parents.push(id);
  }
  const remaining =
    n -
    categoryOptions.length -
    categories.length -
    categoryCombos.length -
    optionSets.length -
    options.length -
    organisationUnits.length;
  const dataElements = Array.from({ length: Math.max(0, remaining) }, (_, i) => ({
    id: uid(),
    name: `Data element ${i}`,
    shortName: `DE ${i}`,
    code: `DE_${i}`,
    valueType: i % 10 === 0 ? 'TEXT' : 'INTEGER',
    aggregationType: 'SUM',
    domainType: 'AGGREGATE',
    zeroIsSignificant: false,
    description: `Generated data element number ${i} for benchmarks`,
    categoryCombo: ref(categoryCombos[i % categoryCombos.length]!.id),
    ...(i % 10 === 0
      ? { optionSet: ref((optionSets[i % optionSets.length] as { id: string }).id) }
      : {}),
  }));
  return {
    categoryOptions,
    categories,
    categoryCombos,
    optionSets,
    options,
    organisationUnits,
    dataElements,
  };
}
