/**
 * Knowledge-base lookups for the portable runtime: the Bedrock `Retrieve` API on the deployed
 * knowledge base in AWS, and a local full-text search (BM25 over the sections of the markdown in
 * `knowledge_base/`) offline. Both answer with Bedrock's retrieved-reference shape, so the trace's
 * `knowledgeBaseLookupOutput` looks the same either way.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  type BedrockAgentRuntimeClient,
  type KnowledgeBaseRetrievalResult,
  RetrieveCommand,
  type RetrievedReference,
} from '@aws-sdk/client-bedrock-agent-runtime';
import { KNOWLEDGE_BASE_DIR } from './warehouse-schema';

export interface KnowledgeBase {
  /** The id traces show as `knowledgeBaseId`. */
  readonly id: string;
  retrieve(
    query: string,
    options?: { maxResults?: number; signal?: AbortSignal },
  ): Promise<RetrievedReference[]>;
}

export const DEFAULT_MAX_RESULTS = 5;

export interface BedrockKnowledgeBaseOptions {
  client: BedrockAgentRuntimeClient;
  knowledgeBaseId: string;
}

/** The deployed knowledge base through `bedrock-agent-runtime:Retrieve` (vector search). */
export class BedrockKnowledgeBase implements KnowledgeBase {
  readonly id: string;

  constructor(private readonly options: BedrockKnowledgeBaseOptions) {
    this.id = options.knowledgeBaseId;
  }

  async retrieve(
    query: string,
    options: { maxResults?: number; signal?: AbortSignal } = {},
  ): Promise<RetrievedReference[]> {
    const { retrievalResults } = await this.options.client.send(
      new RetrieveCommand({
        knowledgeBaseId: this.id,
        // Retrieve accepts at most 1,000 characters of query text.
        retrievalQuery: { text: query.slice(0, 1_000) },
        retrievalConfiguration: {
          vectorSearchConfiguration: {
            numberOfResults: options.maxResults ?? DEFAULT_MAX_RESULTS,
          },
        },
      }),
      { abortSignal: options.signal },
    );
    return (retrievalResults ?? []).map(toReference);
  }
}

function toReference(result: KnowledgeBaseRetrievalResult): RetrievedReference {
  return {
    content: result.content,
    location: result.location,
    ...(result.metadata ? { metadata: result.metadata } : {}),
  };
}

interface Section {
  /** Path relative to the knowledge base folder, e.g. `business_logic/icp_definition.md`. */
  file: string;
  heading: string;
  text: string;
  terms: Map<string, number>;
  length: number;
}

const STOPWORDS = new Set(
  'a an and are as at be by for from how in is it of on or that the this to what when which who why with our we you your does do did can'.split(
    ' ',
  ),
);

/** Lower-case words of 2+ letters or digits, stopwords dropped, plural "s" folded. */
export function searchTerms(text: string): string[] {
  const terms: string[] = [];
  for (const raw of text.toLowerCase().match(/[a-z0-9][a-z0-9_]*/g) ?? []) {
    if (raw.length < 2 || STOPWORDS.has(raw)) continue;
    terms.push(raw.length > 3 && raw.endsWith('s') && !raw.endsWith('ss') ? raw.slice(0, -1) : raw);
  }
  return terms;
}

const MAX_SECTION_CHARS = 2_400;

/**
 * `##` and `###` sections of a markdown file (the preamble is a section of its own), long ones
 * split at paragraphs. Heading words count twice: a section is about what its heading says.
 */
function sectionsOf(file: string, markdown: string): Section[] {
  const title = /^# (.+)$/m.exec(markdown)?.[1]?.trim() ?? file;
  const sections: Section[] = [];
  let h2: string | undefined;
  for (const part of markdown.split(/^(?=#{2,3} )/m)) {
    const heading = /^(#{2,3}) (.+)$/m.exec(part);
    if (heading?.[1] === '##') h2 = heading[2]?.trim();
    const h3 = heading?.[1] === '###' ? heading[2]?.trim() : undefined;
    const name = [title, h2 && heading ? h2 : undefined, h3].filter(Boolean).join(' — ');
    for (const text of splitLong(part.trim())) {
      if (text.length === 0 || /^#+ [^\n]*$/.test(text)) continue;
      const terms = new Map<string, number>();
      const words = [...searchTerms(name), ...searchTerms(name), ...searchTerms(text)];
      for (const term of words) terms.set(term, (terms.get(term) ?? 0) + 1);
      sections.push({ file, heading: name, text, terms, length: words.length });
    }
  }
  return sections;
}

function splitLong(text: string): string[] {
  if (text.length <= MAX_SECTION_CHARS) return [text];
  const out: string[] = [];
  let current = '';
  for (const paragraph of text.split(/\n\s*\n/)) {
    if (current && current.length + paragraph.length + 2 > MAX_SECTION_CHARS) {
      out.push(current);
      current = '';
    }
    current = current ? `${current}\n\n${paragraph}` : paragraph;
  }
  if (current) out.push(current);
  return out;
}

function markdownFiles(dir: string, prefix = ''): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    const relative = prefix ? `${prefix}/${entry}` : entry;
    if (statSync(full).isDirectory()) files.push(...markdownFiles(full, relative));
    else if (entry.endsWith('.md')) files.push(relative);
  }
  return files;
}

export interface LocalKnowledgeBaseOptions {
  /** Folder to index (default: the repository's `knowledge_base/`). */
  dir?: string;
  /** Id shown in traces (default `LOCALKB001`). */
  id?: string;
  /** Data source id shown in each reference's metadata (default `LOCALFILES`). */
  dataSourceId?: string;
}

/**
 * Full-text search over `knowledge_base/`: each `##`/`###` section of each markdown file is a passage,
 * ranked by BM25. Indexed once, on first use. References carry the file as a custom location
 * and as `x-amz-bedrock-kb-source-uri`, as Bedrock reports a document's source.
 */
export class LocalKnowledgeBase implements KnowledgeBase {
  readonly id: string;
  readonly dataSourceId: string;
  private readonly dir: string;
  private index?: {
    sections: Section[];
    documentFrequency: Map<string, number>;
    avgLength: number;
  };

  constructor(options: LocalKnowledgeBaseOptions = {}) {
    this.dir = options.dir ?? KNOWLEDGE_BASE_DIR;
    this.id = options.id ?? 'LOCALKB001';
    this.dataSourceId = options.dataSourceId ?? 'LOCALFILES';
  }

  private build() {
    if (this.index) return this.index;
    const sections = markdownFiles(this.dir).flatMap((file) =>
      sectionsOf(file, readFileSync(path.join(this.dir, file), 'utf8')),
    );
    const documentFrequency = new Map<string, number>();
    for (const section of sections) {
      for (const term of section.terms.keys()) {
        documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
      }
    }
    const avgLength = sections.reduce((sum, s) => sum + s.length, 0) / Math.max(1, sections.length);
    this.index = { sections, documentFrequency, avgLength };
    return this.index;
  }

  async retrieve(
    query: string,
    options: { maxResults?: number } = {},
  ): Promise<RetrievedReference[]> {
    const { sections, documentFrequency, avgLength } = this.build();
    const terms = [...new Set(searchTerms(query))];
    const n = sections.length;
    const k1 = 1.2;
    const b = 0.75;
    const scored = sections
      .map((section) => {
        let score = 0;
        for (const term of terms) {
          const tf = section.terms.get(term);
          if (!tf) continue;
          const df = documentFrequency.get(term) ?? 0;
          const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
          score += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * section.length) / avgLength));
        }
        return { section, score };
      })
      .filter((hit) => hit.score > 0)
      .sort((x, y) => y.score - x.score || x.section.file.localeCompare(y.section.file))
      .slice(0, options.maxResults ?? DEFAULT_MAX_RESULTS);
    return scored.map(({ section }) => ({
      content: { text: section.text, type: 'TEXT' },
      location: {
        type: 'CUSTOM',
        customDocumentLocation: { id: `knowledge_base/${section.file}` },
      },
      metadata: {
        'x-amz-bedrock-kb-source-uri': `knowledge_base/${section.file}`,
        'x-amz-bedrock-kb-chunk-id': `${section.file}#${section.heading}`,
        'x-amz-bedrock-kb-data-source-id': this.dataSourceId,
      },
    }));
  }
}
