/**
 * The names the offline model recognises in any casing: the warehouse's own accounts, deal
 * owners and lead companies, read once through the same `execute_query` tool the agents use
 * (what a configured model would know from its context). A question is rewritten with each name
 * as the warehouse spells it — "how's ixis looking?" becomes "how's IXIS looking?", "what's
 * Sarah working on?" names Sarah Johnson when she is the only Sarah — so the rules that follow
 * read names the same way whatever the user typed.
 */
import { buildFunctionEvent } from '../action-group/action-group-event';
import { readActionGroupResponse } from '../action-group/action-group-response';
import type { ToolInvoker } from '../runtime/tool-invoker';

export interface EntityNames {
  accounts: string[];
  owners: string[];
  companies: string[];
}

const NAMES_SQL = `SELECT 'account' AS kind, account_name AS name FROM accounts
UNION ALL SELECT DISTINCT 'owner', owner_name FROM opportunities
UNION ALL SELECT DISTINCT 'company', company FROM leads`;

/** Words that are names somewhere but mean something else in a question. */
const COMMON = new Set(
  'the deal deals pipeline status account lead leads calls revenue forecast quarter data cloud analytics platform software'.split(
    ' ',
  ),
);

/** Reads the names with one query; an empty list when the tool is missing or fails. */
export async function loadEntityNames(tools: ToolInvoker): Promise<EntityNames> {
  const names: EntityNames = { accounts: [], owners: [], companies: [] };
  if (!tools.actionGroups.includes('firebolt_query')) return names;
  try {
    const response = await tools.invoke(
      buildFunctionEvent({
        tool: 'firebolt_query',
        function: 'execute_query',
        parameters: { query: NAMES_SQL, max_rows: 500 },
        agent: { name: 'offline-model', id: 'OFFLINE000', alias: 'OFFLINE000', version: '1' },
        sessionId: 'offline-entity-names',
      }),
    );
    const { body, responseState } = readActionGroupResponse(response);
    if (responseState) return names;
    const table = JSON.parse(body) as { rows?: [string, string][] };
    for (const [kind, name] of table.rows ?? []) {
      if (!name) continue;
      if (kind === 'account') names.accounts.push(name);
      else if (kind === 'owner') names.owners.push(name);
      else names.companies.push(name);
    }
  } catch {
    // Without the names the model still reads capitalised names.
  }
  return names;
}

/** Lower-case alias → the name as the warehouse spells it; ambiguous aliases are dropped. */
export function nameAliases(names: EntityNames): Map<string, string> {
  const aliases = new Map<string, string | null>();
  const add = (alias: string, name: string) => {
    const key = alias.toLowerCase();
    if (key.length < 4 || COMMON.has(key)) return;
    const known = aliases.get(key);
    aliases.set(key, known === undefined || known === name ? name : null);
  };
  for (const name of [...names.accounts, ...names.companies, ...names.owners]) add(name, name);
  // First words stand for the whole name when only one name starts with them ("acme", "sarah").
  const firstWords = new Map<string, Set<string>>();
  for (const name of [...names.accounts, ...names.companies, ...names.owners]) {
    const first = name.split(/\s+/)[0] ?? '';
    if (first === name) continue;
    const set = firstWords.get(first.toLowerCase()) ?? new Set<string>();
    set.add(name);
    firstWords.set(first.toLowerCase(), set);
  }
  for (const [first, set] of firstWords) {
    if (set.size === 1 && !aliases.has(first)) add(first, [...set][0]!);
  }
  return new Map([...aliases].filter((e): e is [string, string] => e[1] !== null));
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The question with every recognised name spelled as in the warehouse, longest names first. */
export function spellNames(text: string, aliases: Map<string, string>): string {
  if (aliases.size === 0) return text;
  const ordered = [...aliases.keys()].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(`(?<![\\w-])(${ordered.map(escapeRegex).join('|')})(?![\\w-])`, 'gi');
  return text.replace(pattern, (match, _name, offset: number) => {
    const name = aliases.get(match.toLowerCase()) ?? match;
    // A full name already written as such stays; a first word only grows when it is capitalised
    // and not already followed by a capitalised word ("Acme Corp", "Sarah Lee").
    if (match === name) return match;
    if (name.toLowerCase() === match.toLowerCase()) return name;
    const next = text.slice(offset + match.length);
    return /^[A-Z]/.test(match) && !/^\s+[A-Z][a-z]/.test(next) ? name : match;
  });
}
