/** A small seeded generator (mulberry32) for property-style tests: same seed, same stream. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  string(maxLength = 24): string {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789-_.<>/\\"{}é漢😀\n';
    let out = '';
    const length = this.int(maxLength + 1);
    for (let i = 0; i < length; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }
  /** Any JSON-ish value, or a Date / Uint8Array, nested up to `depth`. */
  value(depth = 2): unknown {
    switch (this.int(depth > 0 ? 10 : 7)) {
      case 0:
        return null;
      case 1:
        return undefined;
      case 2:
        return this.int(2000) - 1000;
      case 3:
        return this.chance(0.5);
      case 4:
        return this.string();
      case 5:
        return new Date(this.int(2_000_000_000_000));
      case 6:
        return Uint8Array.from({ length: this.int(8) }, () => this.int(256));
      case 7:
        return Array.from({ length: this.int(4) }, () => this.value(depth - 1));
      default:
        return Object.fromEntries(
          Array.from({ length: this.int(4) }, () => [this.string(8), this.value(depth - 1)]),
        );
    }
  }
}
