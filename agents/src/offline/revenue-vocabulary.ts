/**
 * Revenue vocabulary for the offline model: the many ways people say the same thing ("book",
 * "closed-won", "new business" are bookings; "how's X looking", "where do we stand with X" ask a
 * deal's status) rewritten to the words the agents' instructions, the knowledge base and the SQL
 * patterns use, so the routing rules and the pattern matcher see one wording per intent.
 */

/** [what people say, the documented word]; applied in order to lower-case text. */
const SYNONYMS: [RegExp, string][] = [
  // Bookings: what was won.
  [
    /\b(how much|what) did we (book|close|win|sell)\b|\bbook(ed)?\b|\bclosed?[- ]won\b|\bnew business\b|\bwon business\b|\bsales (last|this|in)\b/g,
    ' bookings ',
  ],
  [
    /\bdid (we|[a-z]+(?: [a-z]+)?) (close|win|book|sell)\b|\bwe (closed|won|booked|sold)\b/g,
    ' bookings ',
  ],
  [
    /\bwin[- ]?loss\b|\bhow do we (do|fare|stack up)\b|\bwin rate against\b|\b(lose|lost|losing) to\b|\b(beat|beating)\b|\brecord (against|vs\.?)\b|\b(doing|faring|performing) against\b/g,
    ' competitive win rate ',
  ],
  [/\brecurring revenue\b|\brun[- ]rate\b/g, ' arr '],
  [/\bopps?\b|\bopportunity\b/g, ' deal '],
  [/\bopportunities\b/g, ' deals '],
  [/\bforecast\b/g, ' pipeline forecast '],
  // A deal's status in everyday words.
  [
    /\bhow(?:'s| is| are) (?!each|our|we|the pipeline|this|next|last)((?:the )?[a-z0-9&.-]+(?: [a-z0-9&.-]+){0,3}) (looking|doing|going|shaping up|progressing)\b/g,
    ' status of $1 ',
  ],
  [
    /\bwhere (do|are) we (stand )?(with|on)\b|\b(update|latest) on\b|\bwhat's the latest (on|with)\b|\bany risks? (on|with|for)\b|\bgoing to close\b|\bon track\b/g,
    ' status of ',
  ],
  // Lead qualification.
  [
    /\bworth (pursuing|chasing|a call)\b|\b(a )?good fit\b|\bgood lead\b|\bqualified\b/g,
    ' qualify ',
  ],
  [
    /\bhottest\b|\bwarmest\b|\bmost engaged\b|\bcall first\b|\bcall (this week|today|next)\b|\bprioriti[sz]e\b|\bwho should (we|sdrs?|the sdr team|the sdrs) call\b/g,
    ' top engaged leads ',
  ],
  [/\b(been )?up to (lately|recently)\b|\bwhat's new (with|at)\b|\bin the news\b/g, ' news '],
  [/\b(lowest|low|poor|worst) health\b|\bunhealthy\b/g, ' churn '],
  // Customers.
  [
    /\bat risk of (churning|leaving)\b|\blikely to (churn|leave)\b|\bmight leave\b|\bunhappy customers\b/g,
    ' churn ',
  ],
  [/\bupsell\b|\bgrow(ing)? (the )?accounts?\b|\bseat limit\b|\bout of seats\b/g, ' expansion '],
  // Calls.
  [/\bconversations?\b|\bmeetings?\b/g, ' calls '],
  [/\bbrought up\b|\bcame up\b|\bwere mentioned\b|\btalked about\b|\bsay about\b/g, ' mentions '],
  // Stalled deals.
  [
    /\bgone (quiet|dark|cold)\b|\bstuck\b|\bno (recent )?activity\b|\binactive\b|\b(haven't|have not|not) been touched\b|\buntouched\b/g,
    ' stalled ',
  ],
  // Stakeholders.
  [
    /\bstakeholders?\b|\bbuying committee\b|\bdecision makers?\b|\bwho (do we|should we) talk to\b/g,
    ' contacts ',
  ],
];

/** The question in lower case with everyday revenue words replaced by the documented ones. */
export function documentedWording(text: string): string {
  let out = ` ${text.toLowerCase().replace(/[’']/g, "'")} `;
  for (const [pattern, word] of SYNONYMS) out = out.replace(pattern, word);
  return out.replace(/\s+/g, ' ');
}

/** Words too common to tell intents apart. */
const STOP = new Set(
  'a an the of for to in on at by with and or is are was were be been do does did what which who whom how when where why me my our we us you your it its this that these those there their them they i can could would should will please give show tell list get find about from any all have has had than more most some'.split(
    ' ',
  ),
);

/** Lower-case words of `text` (documented wording), minus stop words, lightly stemmed. */
export function terms(text: string): string[] {
  return documentedWording(text)
    .replace(/[^a-z0-9$%-]+/g, ' ')
    .split(' ')
    .filter((w) => w.length > 1 && !STOP.has(w))
    .map((w) => w.replace(/(ies)$/, 'y').replace(/(?<=[a-z]{3})s$/, ''));
}
