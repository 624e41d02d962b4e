/** Prints a fixed-width table: the first column left-aligned, numbers right-aligned. */
export function printTable(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  console.log(`\n${title}\n`);
  for (const [k, r] of cells.entries()) {
    console.log(
      r
        .map((c, i) =>
          i === 0 || Number.isNaN(Number(c.split(' ')[0]))
            ? c.padEnd(widths[i]!)
            : c.padStart(widths[i]!),
        )
        .join('  '),
    );
    if (k === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}
