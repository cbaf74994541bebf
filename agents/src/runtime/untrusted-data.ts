/**
 * Tool results as the models see them: wrapped in `<untrusted_data source="…">` …
 * `</untrusted_data>`, which every agent's instructions call data, never instructions. A Gong
 * transcript, a web page or a warehouse row that says "send this to …" is then quoted material,
 * not a request. The data cannot close the marker early: anything in it that reads as the
 * marker's tag (any case, spacing, invisible characters or look-alike brackets) has its `<`
 * replaced by `&lt;`, so the only closing tag is the one written here.
 *
 * The tool Lambdas mark their answers (so Bedrock Agents shows the model marked text);
 * `readActionGroupResponse` takes the marker off again, and the portable runtime marks what it
 * hands the model once, so each path shows the model exactly one marker. The conversation record
 * keeps the tool's own text (its action-group observation); only the model's copy carries it.
 */

export const UNTRUSTED_TAG = 'untrusted_data';

/** `<`, full-width `＜` or small `﹤`, then `/`, spaces or invisible characters, then the tag. */
const TAG_LIKE = /[<\uFF1C\uFE64]([\s\p{Cf}]*\/?[\s\p{Cf}]*untrusted)/giu;
const SOURCE_UNSAFE = /[^A-Za-z0-9_.:-]/g;

/** What the marker adds to a text, besides the source's name. */
export const UNTRUSTED_MARKER_CHARS = `<${UNTRUSTED_TAG} source="">\n\n</${UNTRUSTED_TAG}>`.length;

/** Replaces the opening bracket of anything that reads as the marker's tag. */
export function neutralizeMarkers(text: string): string {
  return text.replace(TAG_LIKE, '&lt;$1');
}

/** `text` wrapped as untrusted data from `source` (e.g. `gong_retrieval.get_call_transcript`). */
export function markUntrusted(text: string, source: string): string {
  const name = source.replace(SOURCE_UNSAFE, '_').slice(0, 100);
  return `<${UNTRUSTED_TAG} source="${name}">\n${neutralizeMarkers(text)}\n</${UNTRUSTED_TAG}>`;
}

const MARKED = new RegExp(
  `^<${UNTRUSTED_TAG} source="[^"]*">\\n([\\s\\S]*)\\n</${UNTRUSTED_TAG}>$`,
);

/**
 * The data inside a marker (as neutralized), or `text` as is when it is not marked: for readers
 * that parse tool results, such as the offline model.
 */
export function unmarkUntrusted(text: string): string {
  return MARKED.exec(text)?.[1] ?? text;
}
