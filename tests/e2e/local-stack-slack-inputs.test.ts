/**
 * The local stack's Slack path with the offline model, the real tools and the embedded warehouse:
 * a Data agent answer of more than 20 rows shares the whole result as a CSV file in the thread,
 * and `revbot schedule run` has a configured report answered and posted to its channel. Expected
 * figures come from SQL run here against a warehouse seeded the same way, not from the answer.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RevbotLocal, startRevbotLocal } from '@revbot/cli';
import {
  createEmbeddedWarehouse,
  type EmbeddedWarehouse,
  generateRevenueDataset,
} from '@revbot/lambdas/warehouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/tests/support/run-cli';

const AS_OF = '2026-11-23';
const QUARTER = '2026-Q4';
const CHANNEL = 'C0LOCAL01';
const REPORT_CHANNEL = 'C0REVOPS1';

/** RFC 4180 rows (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('the local stack, Slack inputs', () => {
  let stack: RevbotLocal;
  let dataDir: string;
  let warehouse: EmbeddedWarehouse;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'revbot-slack-inputs-'));
    [stack, warehouse] = await Promise.all([
      startRevbotLocal({ PORT: '0', REVBOT_DATA_DIR: dataDir, REVBOT_DATA_AS_OF: AS_OF }),
      createEmbeddedWarehouse({ seed: generateRevenueDataset({ asOf: AS_OF }) }),
    ]);
  });
  afterAll(async () => {
    await stack?.close();
    await warehouse?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const sql = async (query: string) =>
    (await warehouse.query(query, { maxRows: 500, timeoutMs: 10_000 })).rows;

  it('shares a Data agent result of more than 20 rows as a CSV file in the thread', async () => {
    const slack = stack.slack.embedded!;
    const sent = await runCli(
      [
        'slack',
        'What deals are closing this quarter?',
        '--url',
        stack.url,
        '--event-id',
        'EvCSV0001',
      ],
      { env: {} },
    );
    expect(sent.code).toBe(0);
    const thread = sent.out.match(/thread (\S+)/)?.[1] as string;
    await stack.server.drained(60_000);

    const [[count]] = (await sql(
      `SELECT COUNT(*) FROM opportunities WHERE is_closed = false AND fiscal_quarter = '${QUARTER}'`,
    )) as [[number]];
    expect(Number(count)).toBeGreaterThan(20);

    const files = [...slack.files.values()].filter((f) => f.thread_ts === thread);
    expect(files).toHaveLength(1);
    const file = files[0]!;
    expect(file.channel).toBe(CHANNEL);
    expect(file.filename).toMatch(/^revbot-.+-1\.csv$/);
    expect(file.content?.length).toBe(file.declaredLength);
    const [header, ...rows] = parseCsv(file.content!.toString('utf8'));
    expect(rows).toHaveLength(Number(count));
    expect(header).toContain('opportunity_name');

    // The same deals as the warehouse holds, not merely as many.
    const names = (await sql(
      `SELECT opportunity_name FROM opportunities WHERE is_closed = false AND fiscal_quarter = '${QUARTER}' ORDER BY arr DESC`,
    )) as string[][];
    const column = header!.indexOf('opportunity_name');
    expect(rows.map((r) => r[column])).toEqual(names.map(([name]) => name));

    // The answer itself is in the thread, and the file follows it.
    const messages = slack.thread(CHANNEL, thread);
    const answerAt = messages.findIndex((m) => /Open deals closing in 2026-Q4/.test(m.text));
    const fileAt = messages.findIndex((m) => m.files?.[0]?.id === file.id);
    expect(answerAt).toBeGreaterThanOrEqual(0);
    expect(fileAt).toBeGreaterThan(answerAt);
    expect(messages[fileAt]?.text).toBe(`The full result, ${count} rows, as CSV.`);
  });

  it('shares no file for an answer of 20 rows or fewer', async () => {
    const slack = stack.slack.embedded!;
    const before = slack.files.size;
    const sent = await runCli(
      [
        'slack',
        "What's the status of the IXIS deal?",
        '--url',
        stack.url,
        '--event-id',
        'EvCSV0002',
      ],
      { env: {} },
    );
    expect(sent.code).toBe(0);
    await stack.server.drained(60_000);
    expect(slack.files.size).toBe(before);
  });

  it('answers a direct message (revbot slack --dm) in its thread', async () => {
    const slack = stack.slack.embedded!;
    const sent = await runCli(
      ['slack', '--dm', "What's our pipeline this quarter?", '--url', stack.url],
      { env: {} },
    );
    expect(sent.out).toMatch(/in channel D0LOCAL01, thread/);
    const thread = sent.out.match(/thread (\S+)/)?.[1] as string;
    await stack.server.drained(60_000);
    const [[deals]] = (await sql(
      `SELECT COUNT(*) FROM opportunities WHERE is_closed = false AND fiscal_quarter = '${QUARTER}'`,
    )) as [[number]];
    const replies = slack.thread('D0LOCAL01', thread);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.thread_ts).toBe(thread);
    expect(replies[0]?.text).toContain(`${Number(deals)} deals`);
  });

  describe('revbot schedule', () => {
    let config: string;
    beforeAll(() => {
      config = path.join(dataDir, 'cdk.json');
      writeFileSync(
        config,
        JSON.stringify({
          app: 'unused',
          context: {
            scheduledReports: [
              {
                name: 'weekly-pipeline',
                schedule: 'cron(0 8 ? * MON *)',
                timezone: 'Europe/Paris',
                question: "What's our pipeline for this quarter by segment?",
                channel: REPORT_CHANNEL,
              },
            ],
          },
        }),
      );
    });

    it('lists the configured reports', async () => {
      const listed = await runCli(['schedule', 'list', '--config', config], { env: {} });
      expect(listed.code).toBe(0);
      expect(listed.out).toContain(
        'weekly-pipeline  cron(0 8 ? * MON *) Europe/Paris  → C0REVOPS1',
      );
    });

    it('runs a report on demand: answered by the processor and posted to its channel, not a thread', async () => {
      const slack = stack.slack.embedded!;
      const ran = await runCli(
        ['schedule', 'run', 'weekly-pipeline', '--config', config, '--url', stack.url],
        { env: {} },
      );
      expect(ran.err).toBe('');
      expect(ran.code).toBe(0);
      const executionId = ran.out.match(/execution (\S+)\)/)?.[1] as string;
      await stack.server.drained(60_000);

      const posted = slack.messages.get(REPORT_CHANNEL) ?? [];
      expect(posted).toHaveLength(1);
      const report = posted[0]!;
      expect(report.thread_ts).toBeUndefined();
      expect(report.history[0]).toMatch(/^:calendar: \*weekly-pipeline\* \(scheduled report\)/);

      // Each segment's open deals this quarter, as the answer's table must show them.
      const segments = (await sql(
        `SELECT a.segment, COUNT(*) FROM opportunities o JOIN accounts a ON a.account_id = o.account_id WHERE o.is_closed = false AND o.fiscal_quarter = '${QUARTER}' GROUP BY a.segment`,
      )) as [string, number][];
      expect(segments.length).toBeGreaterThan(1);
      for (const [segment, deals] of segments) {
        expect(report.text).toMatch(new RegExp(`^${segment} *\\| *${Number(deals)} \\|`, 'm'));
      }

      // Recorded like any Slack conversation, under the run's id.
      const records = readdirSync(stack.conversationsDir, { recursive: true })
        .map(String)
        .filter((file) => file.includes(executionId) && file.endsWith('conversation.json'));
      expect(records).toHaveLength(1);
      const record = JSON.parse(
        readFileSync(path.join(stack.conversationsDir, records[0]!), 'utf8'),
      );
      expect(record).toMatchObject({
        user_query: "What's our pipeline for this quarter by segment?",
        channel: { kind: 'slack', channel: REPORT_CHANNEL, thread_ts: report.ts },
      });
    });

    it('refuses an unknown report, naming the ones there are', async () => {
      const ran = await runCli(['schedule', 'run', 'nope', '--config', config], { env: {} });
      expect(ran.code).not.toBe(0);
      expect(ran.err).toMatch(/no scheduled report named "nope" \(weekly-pipeline\)/);
    });
  });
});
