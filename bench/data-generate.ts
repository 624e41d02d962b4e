/**
 * The data push benchmark's model (issue 7): 10 numeric data elements × 100 org units, and
 * `n` values over consecutive days from 2000-01-01, so every value has its own key.
 */
const pad = (n: number, w: number) => String(n).padStart(w, '0');
export const DE = (i: number) => `BenchDe${pad(i, 4)}`;
export const OU = (i: number) => `BenchOu${pad(i, 4)}`;
export const DES = 10;
export const OUS = 100;

export function pushMetadata() {
  return {
    organisationUnits: Array.from({ length: OUS }, (_, i) => ({
      id: OU(i),
      name: `Bench OU ${i}`,
      shortName: `Bench OU ${i}`,
      openingDate: '2000-01-01',
    })),
    dataElements: Array.from({ length: DES }, (_, i) => ({
      id: DE(i),
      name: `Bench DE ${i}`,
      shortName: `Bench DE ${i}`,
      valueType: 'NUMBER',
      aggregationType: 'SUM',
      domainType: 'AGGREGATE',
    })),
  };
}

/** The i-th value's key and value (daily periods, yyyyMMdd). */
export function benchValue(i: number) {
  const per = DES * OUS;
  const day = new Date(Date.UTC(2000, 0, 1) + Math.floor(i / per) * 86_400_000);
  const period = day.toISOString().slice(0, 10).replace(/-/g, '');
  return { de: DE(i % DES), ou: OU(Math.floor(i / DES) % OUS), period, value: String(i % 997) };
}
