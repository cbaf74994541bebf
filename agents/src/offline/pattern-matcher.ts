/**
 * A statistical matcher over the knowledge base's own words: each SQL pattern is a document made
 * of its description and example questions, weighted by TF-IDF; a question, rewritten to the
 * documented vocabulary, picks the pattern whose words it shares most (cosine similarity). The
 * offline Data agent falls back on it when no rule names the pattern, and declines below the
 * threshold rather than guess.
 */
import type { SqlPattern } from '../knowledge-base/sql-patterns';
import { terms } from './revenue-vocabulary';

export interface PatternMatch {
  id: string;
  score: number;
}

type Vector = Map<string, number>;

const cache = new WeakMap<
  readonly SqlPattern[],
  { idf: Map<string, number>; docs: [string, Vector][] }
>();

function counts(words: string[]): Map<string, number> {
  const tf = new Map<string, number>();
  for (const w of words) tf.set(w, (tf.get(w) ?? 0) + 1);
  return tf;
}

function weigh(tf: Map<string, number>, idf: Map<string, number>): Vector {
  const v: Vector = new Map();
  let norm = 0;
  for (const [w, n] of tf) {
    const x = (1 + Math.log(n)) * (idf.get(w) ?? 0);
    if (x > 0) {
      v.set(w, x);
      norm += x * x;
    }
  }
  norm = Math.sqrt(norm) || 1;
  for (const [w, x] of v) v.set(w, x / norm);
  return v;
}

function index(patterns: readonly SqlPattern[]) {
  let built = cache.get(patterns);
  if (built) return built;
  // Questions count twice: they are worded the way people ask.
  const docs = patterns.map(
    (p) =>
      [
        p.id,
        terms(
          `${p.description} ${p.id.replace(/-/g, ' ')} ${p.questions.join(' ')} ${p.questions.join(' ')}`,
        ),
      ] as const,
  );
  const df = new Map<string, number>();
  for (const [, words] of docs) for (const w of new Set(words)) df.set(w, (df.get(w) ?? 0) + 1);
  const idf = new Map([...df].map(([w, n]) => [w, Math.log((1 + docs.length) / n)]));
  built = { idf, docs: docs.map(([id, words]) => [id, weigh(counts(words), idf)]) };
  cache.set(patterns, built);
  return built;
}

/** Patterns ranked by similarity to the question, best first. */
export function rankPatterns(question: string, patterns: readonly SqlPattern[]): PatternMatch[] {
  const { idf, docs } = index(patterns);
  const q = weigh(counts(terms(question)), idf);
  return docs
    .map(([id, d]) => {
      let score = 0;
      for (const [w, x] of q) score += x * (d.get(w) ?? 0);
      return { id, score };
    })
    .sort((a, b) => b.score - a.score);
}

/** The best pattern when it is similar enough to be meant, else undefined. */
export function matchPattern(
  question: string,
  patterns: readonly SqlPattern[],
  threshold = 0.3,
): PatternMatch | undefined {
  const [best] = rankPatterns(question, patterns);
  return best && best.score >= threshold ? best : undefined;
}
