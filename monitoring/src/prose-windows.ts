/**
 * Verbatim-copy detection for the prompt guard: every window of LEAK_WINDOW_CHARS characters of
 * prose (letters, digits, light punctuation; whitespace runs read as one space) is hashed with two
 * rolling polynomial hashes into an open-addressing table of typed arrays, so learning and
 * scanning megabytes of text allocates nothing per character.
 */

/** A leak is this many characters of instruction prose copied verbatim (about seven words). */
export const LEAK_WINDOW_CHARS = 40;
const W = LEAK_WINDOW_CHARS;
const B1 = 0x01000193;
const B2 = 0x5bd1e995;
const power = (base: number): number => {
  let result = 1;
  for (let i = 0; i < W - 1; i++) result = Math.imul(result, base);
  return result;
};
const P1 = power(B1);
const P2 = power(B2);

/**
 * 0 = breaks a run (markup, code, sentence ends: a window never spans two sentences),
 * 1 = prose punctuation, 2 = letter or digit, 3 = whitespace.
 */
const CLASS = new Uint8Array(65_536).fill(2);
for (let c = 0; c < 128; c++) CLASS[c] = 0;
for (const ch of ',;:\'"()-/&') CLASS[ch.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) CLASS[c] = 2;
for (let c = 65; c <= 90; c++) CLASS[c] = 2;
for (let c = 97; c <= 122; c++) CLASS[c] = 2;
for (const c of [9, 10, 11, 12, 13, 32, 160, 0x2028, 0x2029]) CLASS[c] = 3;

/**
 * A set of window hashes (pairs of 32-bit hashes) in one interleaved typed array; the pair
 * (0, 0) marks an empty slot, so a window hashing to it is stored as (0, 1).
 */
export class WindowTable {
  private pairs = new Int32Array(2 << 12);
  private shift = 20;
  size = 0;

  private slot(h1: number): number {
    return Math.imul(h1 ^ (h1 >>> 15), 0x2c1b3c6d) >>> this.shift;
  }

  /** Whether any window with first hash `h1` is present (the cheap pre-check). */
  hasFirst(h1: number): boolean {
    const pairs = this.pairs;
    const mask = (pairs.length >> 1) - 1;
    for (let i = this.slot(h1); ; i = (i + 1) & mask) {
      const a = pairs[2 * i] as number;
      if (a === h1 && (a !== 0 || pairs[2 * i + 1] !== 0)) return true;
      if (a === 0 && pairs[2 * i + 1] === 0) return false;
    }
  }

  has(h1: number, h2In: number): boolean {
    const h2 = h1 === 0 && h2In === 0 ? 1 : h2In;
    const pairs = this.pairs;
    const mask = (pairs.length >> 1) - 1;
    for (let i = this.slot(h1); ; i = (i + 1) & mask) {
      const a = pairs[2 * i] as number;
      const b = pairs[2 * i + 1] as number;
      if (a === h1 && b === h2) return true;
      if (a === 0 && b === 0) return false;
    }
  }

  add(h1: number, h2In: number): void {
    if ((this.size + 1) * 2 > this.pairs.length >> 1) this.grow();
    const h2 = h1 === 0 && h2In === 0 ? 1 : h2In;
    const pairs = this.pairs;
    const mask = (pairs.length >> 1) - 1;
    let i = this.slot(h1);
    for (; ; i = (i + 1) & mask) {
      const a = pairs[2 * i] as number;
      const b = pairs[2 * i + 1] as number;
      if (a === h1 && b === h2) return;
      if (a === 0 && b === 0) break;
    }
    pairs[2 * i] = h1;
    pairs[2 * i + 1] = h2;
    this.size++;
  }

  private grow(): void {
    const old = this.pairs;
    this.pairs = new Int32Array(old.length * 2);
    this.shift--;
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) {
      const a = old[i] as number;
      const b = old[i + 1] as number;
      if (a !== 0 || b !== 0) this.add(a, b);
    }
  }
}

const isAlnum = (c: number): boolean => CLASS[c] === 2;

// Ring buffers shared by every pass (single-threaded, passes never nest); a power-of-two size
// turns the ring arithmetic into masks.
const RING = 64;
const RING_MASK = RING - 1;
const ringCode = new Int32Array(RING);

/**
 * Adds to `table` every window of `text` that starts a word. Scans look windows up at word starts
 * too, so a copied passage matches from its first whole word on.
 */
export function learnWindows(text: string, table: WindowTable): void {
  let length = 0;
  let h1 = 0;
  let h2 = 0;
  let previousClass = 3;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    const cls = CLASS[c] as number;
    if (cls === 0) {
      length = 0;
      h1 = 0;
      h2 = 0;
      previousClass = 3;
      continue;
    }
    if (cls === 3) {
      if (length === 0 || previousClass === 3) continue;
      c = 32;
    }
    if (length >= W) {
      const out = ringCode[(length - W) & RING_MASK] as number;
      h1 = (h1 - Math.imul(out, P1)) | 0;
      h2 = (h2 - Math.imul(out, P2)) | 0;
    }
    h1 = (Math.imul(h1, B1) + c) | 0;
    h2 = (Math.imul(h2, B2) + c) | 0;
    ringCode[length & RING_MASK] = c;
    previousClass = cls;
    length++;
    if (length < W) continue;
    const firstAt = length - W;
    if (!isAlnum(ringCode[firstAt & RING_MASK] as number)) continue;
    if (firstAt > 0 && isAlnum(ringCode[(firstAt - 1) & RING_MASK] as number)) continue;
    table.add(h1, h2);
  }
}

/** The second hash of the window ending at ring position `length - 1`, recomputed on demand. */
function secondHash(length: number): number {
  let h2 = 0;
  for (let j = length - W; j < length; j++)
    h2 = (Math.imul(h2, B2) + (ringCode[j & RING_MASK] as number)) | 0;
  return h2;
}

/** Where in `text` the window of W prose characters ending at `end` (exclusive) starts. */
function windowStart(text: string, end: number): number {
  let remaining = W;
  let i = end;
  let previousSpace = false;
  while (i > 0 && remaining > 0) {
    i--;
    const cls = CLASS[text.charCodeAt(i)] as number;
    if (cls === 3) {
      if (!previousSpace) remaining--;
      previousSpace = true;
    } else {
      remaining--;
      previousSpace = false;
    }
  }
  return i;
}

/**
 * Appends to `hits`, as merged [start, end) offset pairs, every window of `text` that starts a
 * word, is in `table` and is not in `allowed`. Only the first hash rolls per character; the
 * second hash and the window's offset are worked out for the rare windows whose first hash is
 * known.
 */
export function findWindows(
  text: string,
  table: WindowTable,
  allowed: WindowTable,
  hits: number[],
): void {
  let length = 0;
  let h1 = 0;
  let previousClass = 3;
  const checkAllowed = allowed.size > 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    const cls = CLASS[c] as number;
    if (cls === 0) {
      length = 0;
      h1 = 0;
      previousClass = 3;
      continue;
    }
    if (cls === 3) {
      if (length === 0 || previousClass === 3) continue;
      c = 32;
    }
    if (length >= W) h1 = (h1 - Math.imul(ringCode[(length - W) & RING_MASK] as number, P1)) | 0;
    h1 = (Math.imul(h1, B1) + c) | 0;
    ringCode[length & RING_MASK] = c;
    previousClass = cls;
    length++;
    if (length < W) continue;
    // A window is looked up only where it starts a word: letter or digit after a non-one.
    const firstAt = length - W;
    if (!isAlnum(ringCode[firstAt & RING_MASK] as number)) continue;
    if (firstAt > 0 && isAlnum(ringCode[(firstAt - 1) & RING_MASK] as number)) continue;
    if (!table.hasFirst(h1)) continue;
    const h2 = secondHash(length);
    if (!table.has(h1, h2) || (checkAllowed && allowed.has(h1, h2))) continue;
    const start = windowStart(text, i + 1);
    const last = hits.length - 1;
    if (last > 0 && start <= (hits[last] as number)) hits[last] = i + 1;
    else hits.push(start, i + 1);
  }
}
