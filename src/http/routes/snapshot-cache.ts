/**
 * Snapshots never change, so small ones are kept in memory once read: serving a popular
 * `data.gz` to many locals then costs no database round trip (issue 5 benchmark). Least recently
 * used entries go first once the byte budget is spent.
 */
export class SnapshotCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  constructor(
    private readonly budget: number,
    private readonly maxEntry: number,
  ) {}

  accepts(size: number): boolean {
    return size <= this.maxEntry;
  }

  get(key: string): Buffer | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, value: Buffer): void {
    if (!this.accepts(value.length) || this.entries.has(key)) return;
    this.entries.set(key, value);
    this.bytes += value.length;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.budget) break;
      this.entries.delete(k);
      this.bytes -= v.length;
    }
  }
}
