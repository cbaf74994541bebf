import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TOOL_NAMES, TOOLS, type ToolName } from '@revbot/agents';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDAS_DIR } from '../../constructs/revbot-function';
import {
  ToolFunctions,
  type ToolFunctionsProps,
  type ToolSettings,
  toolSettingsFromContext,
} from '../../constructs/tool-functions';
import { buildApp, newRevbotApp, type RevbotStacks } from '../../lib/app';
import { nagErrors } from '../nag-report';
import { bareStack, logicalId } from './bare-stack';

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let stacks: RevbotStacks;
const secretId = (tool: ToolName) =>
  stacks.agents.getLogicalId(stacks.agents.tools.secrets[tool]?.node.defaultChild as CfnElement);
let template: Template;
let outdir: string;
const functionsByName = () =>
  Object.fromEntries(
    Object.entries(template.findResources('AWS::Lambda::Function')).map(([id, r]) => [
      String((r as Resource).Properties.FunctionName),
      { id, ...(r as Resource) },
    ]),
  );

/** The tool's function resource; fails the test if it does not exist. */
const lambda = (dir: string) => {
  const fn = functionsByName()[`revops-test-tool-${dir}`];
  if (!fn) throw new Error(`no function for ${dir}`);
  return fn;
};

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'revbot-tools-'));
  outdirs.push(outdir);
  const app = newRevbotApp({
    outdir,
    context: {
      stage: 'test',
      fireboltAccount: 'acme-revenue',
      fireboltDatabase: 'revenue',
      fireboltEngine: 'analytics',
      gongBaseUrl: 'https://us-12345.api.gong.io',
      webhookAllowedUrls: 'hooks.crm.example,https://hooks.slack.com/services/',
      notificationWebhookUrl: 'https://hooks.slack.com/services/T000/B000/XXXX',
      // Wiring only: Lambda bundling is checked separately below.
      'aws:cdk:bundling-stacks': [],
    },
  });
  stacks = buildApp(app);
  app.synth();
  template = Template.fromStack(stacks.agents);
});

describe('the tool Lambdas', () => {
  it('creates one function per catalogue tool, with timeouts matched to the downstream', () => {
    const fns = functionsByName();
    const expected: Record<string, [number, number]> = {
      'firebolt-query': [40, 512],
      'firebolt-writer': [30, 256],
      'gong-retrieval': [60, 256],
      'web-search': [30, 256],
      'webhook-executor': [30, 256],
    };
    for (const tool of TOOL_NAMES) {
      const fn = fns[`revops-test-tool-${TOOLS[tool].lambdaDir}`];
      expect(fn, tool).toBeDefined();
      expect([fn?.Properties.Timeout, fn?.Properties.MemorySize]).toEqual(
        expected[TOOLS[tool].lambdaDir],
      );
    }
  });

  it('reserves concurrency for Gong and web search only', () => {
    const fns = functionsByName();
    expect(fns['revops-test-tool-gong-retrieval']?.Properties.ReservedConcurrentExecutions).toBe(3);
    expect(fns['revops-test-tool-web-search']?.Properties.ReservedConcurrentExecutions).toBe(5);
    for (const dir of ['firebolt-query', 'firebolt-writer', 'webhook-executor']) {
      expect(
        fns[`revops-test-tool-${dir}`]?.Properties.ReservedConcurrentExecutions,
      ).toBeUndefined();
    }
  });

  it('configures each tool from context, with its secret given by ARN', () => {
    const env = (dir: string) =>
      (
        lambda(dir).Properties.Environment as {
          Variables: Record<string, unknown>;
        }
      ).Variables;
    expect(env('firebolt-query')).toMatchObject({
      FIREBOLT_ACCOUNT: 'acme-revenue',
      FIREBOLT_DATABASE: 'revenue',
      FIREBOLT_ENGINE: 'analytics',
      QUERY_TIMEOUT_MS: '20000',
      FIREBOLT_SECRET_ID: { Ref: secretId('firebolt_query') },
    });
    expect(env('firebolt-query').FIREBOLT_API_ENDPOINT).toBeUndefined();
    expect(env('gong-retrieval')).toMatchObject({
      GONG_BASE_URL: 'https://us-12345.api.gong.io',
      GONG_SECRET_ID: { Ref: secretId('gong_retrieval') },
    });
    expect(env('web-search')).toMatchObject({
      SEARCH_BASE_URL: 'https://api.tavily.com',
      SEARCH_SECRET_ID: { Ref: secretId('web_search') },
    });
    expect(env('firebolt-writer').FIREBOLT_SECRET_ID).toEqual({ Ref: secretId('firebolt_writer') });
    expect(env('webhook-executor')).toMatchObject({
      WEBHOOK_ALLOWED_URLS: 'hooks.crm.example,https://hooks.slack.com/services/',
      NOTIFICATION_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXXX',
      WEBHOOK_SIGNING_SECRET_ARN: { Ref: secretId('webhook_executor') },
    });
  });

  it('gives each API tool a secret of its own, named per stage, holding the keys its handler reads', () => {
    const secrets = Object.values(template.findResources('AWS::SecretsManager::Secret')).map(
      (r) => (r as Resource).Properties,
    );
    const byName = Object.fromEntries(secrets.map((s) => [String(s.Name), s]));
    expect(Object.keys(byName).sort()).toEqual([
      'revops-test/tools/firebolt-query',
      'revops-test/tools/firebolt-writer',
      'revops-test/tools/gong-retrieval',
      'revops-test/tools/web-search',
      'revops-test/tools/webhook-executor',
    ]);
    const keys = (name: string) => {
      const generate = byName[name]?.GenerateSecretString as { SecretStringTemplate: string };
      return Object.keys(JSON.parse(generate.SecretStringTemplate));
    };
    expect(keys('revops-test/tools/firebolt-query')).toEqual(['client_id', 'client_secret']);
    expect(keys('revops-test/tools/gong-retrieval')).toEqual(['access_key', 'access_key_secret']);
    expect(keys('revops-test/tools/web-search')).toEqual(['api_key']);
    // The webhook tool's secret is a generated signing key of 24 random bytes (32 base64 chars).
    expect(byName['revops-test/tools/webhook-executor']?.GenerateSecretString).toEqual({
      PasswordLength: 32,
      ExcludePunctuation: true,
      IncludeSpace: false,
    });
  });

  it('lets each tool role read its own secret and nothing else from Secrets Manager', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).map(
      (r) => (r as Resource).Properties,
    );
    for (const tool of TOOL_NAMES) {
      const dir = TOOLS[tool].lambdaDir;
      const fn = lambda(dir);
      const roleRef = JSON.stringify(
        (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
      );
      const statements = policies
        .filter((p) => JSON.stringify(p.Roles).includes(roleRef))
        .flatMap((p) => (p.PolicyDocument as { Statement: Statement[] }).Statement);
      const secretStatements = statements.filter((s) =>
        [s.Action].flat().some((a) => a.startsWith('secretsmanager:')),
      );
      const env = (fn.Properties.Environment as { Variables: Record<string, { Ref?: string }> })
        .Variables;
      const ownSecret = Object.values(env).find((v) => typeof v === 'object' && v?.Ref)?.Ref;
      if (!ownSecret) {
        expect(secretStatements, dir).toEqual([]);
        continue;
      }
      expect(secretStatements, dir).toHaveLength(1);
      expect([secretStatements[0]?.Action].flat().sort()).toEqual([
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
      ]);
      expect(secretStatements[0]?.Resource).toEqual({ Ref: ownSecret });
      for (const s of statements) expect(JSON.stringify(s.Resource)).not.toBe('"*"');
    }
  });

  it('passes cdk-nag, the secrets rotation finding acknowledged with a reason', () => {
    expect(nagErrors(outdir)).toEqual([]);
  });
});

const SETTINGS: ToolSettings = {
  fireboltAccount: 'acme-revenue',
  fireboltDatabase: 'revenue',
  fireboltEngine: 'analytics',
  gongBaseUrl: 'https://api.gong.io',
  searchBaseUrl: 'https://api.tavily.com',
  gongReservedConcurrency: 0,
  searchReservedConcurrency: 2,
  webhookAllowedUrls: '',
  notificationWebhookUrl: '',
  queryTimeoutSeconds: 15,
};

describe('ToolFunctions on a bare stack', () => {
  it('creates one Lambda and one secret per tool from the settings it is given', () => {
    // GIVEN
    const stack = bareStack();

    // WHEN
    const tools = new ToolFunctions(stack, 'Tools', { stage: 'test', settings: SETTINGS });

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', TOOL_NAMES.length);
    template.resourceCountIs('AWS::SecretsManager::Secret', TOOL_NAMES.length);
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'revops-test-tool-firebolt-query',
      Environment: {
        Variables: Match.objectLike({
          FIREBOLT_ACCOUNT: 'acme-revenue',
          QUERY_TIMEOUT_MS: '15000',
          FIREBOLT_SECRET_ID: { Ref: logicalId(tools.secrets.firebolt_query!) },
        }),
      },
    });
    // 0 reserves nothing; any other figure is reserved as given.
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'revops-test-tool-gong-retrieval',
      ReservedConcurrentExecutions: Match.absent(),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'revops-test-tool-web-search',
      ReservedConcurrentExecutions: 2,
    });
    expect(tools.settings).toEqual(SETTINGS);
  });

  it('reads the settings from context when none are given, and warns while Firebolt is unset', () => {
    // GIVEN
    const stack = bareStack({ gongBaseUrl: 'https://us-1.api.gong.io' });

    // WHEN
    const tools = new ToolFunctions(stack, 'Tools', { stage: 'test' });

    // THEN
    expect(tools.settings.gongBaseUrl).toBe('https://us-1.api.gong.io');
    Annotations.fromStack(stack).hasWarning(
      '/Default/Tools',
      Match.stringLikeRegexp('Firebolt is not configured'),
    );
  });

  it.each([
    ['stage', { stage: 'Test' }],
    ['settings.gongBaseUrl', { settings: { ...SETTINGS, gongBaseUrl: 'gong' } }],
    ['settings.queryTimeoutSeconds', { settings: { ...SETTINGS, queryTimeoutSeconds: 61 } }],
  ] as [string, Partial<ToolFunctionsProps>][])('refuses a wrong %s, naming it', (prop, wrong) => {
    // GIVEN
    const stack = bareStack();

    // WHEN / THEN
    expect(
      () => new ToolFunctions(stack, 'Tools', { stage: 'test', settings: SETTINGS, ...wrong }),
    ).toThrow(`Default/Tools: prop "${prop}"`);
  });
});

describe('tool settings from CDK context', () => {
  it('has defaults for every setting but Firebolt', () => {
    expect(toolSettingsFromContext(new App().node)).toEqual({
      fireboltAccount: '',
      fireboltDatabase: '',
      fireboltEngine: '',
      gongBaseUrl: 'https://api.gong.io',
      searchBaseUrl: 'https://api.tavily.com',
      gongReservedConcurrency: 3,
      searchReservedConcurrency: 5,
      webhookAllowedUrls: '',
      notificationWebhookUrl: '',
      queryTimeoutSeconds: 20,
    });
  });

  it('names the context key that is wrong', () => {
    expect(() =>
      toolSettingsFromContext(new App({ context: { gongBaseUrl: 'gong' } }).node),
    ).toThrow(/Invalid CDK context "gongBaseUrl"/);
    expect(() =>
      toolSettingsFromContext(new App({ context: { gongReservedConcurrency: '-1' } }).node),
    ).toThrow(/Invalid CDK context "gongReservedConcurrency"/);
  });
});

describe('the tool bundles', () => {
  it('leave the embedded warehouse (DuckDB) out of every tool Lambda', async () => {
    const result = await build({
      entryPoints: TOOL_NAMES.map((t) =>
        path.join(LAMBDAS_DIR, `tools/${TOOLS[t].lambdaDir}/handler.ts`),
      ),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      outdir: mkdtempSync(path.join(tmpdir(), 'revbot-tool-bundles-')),
      write: false,
      metafile: true,
      external: ['@duckdb/node-api'],
      mainFields: ['module', 'main'],
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((i) => i.includes('duckdb'))).toBe(false);
    expect(inputs.some((i) => i.includes('firebolt-sdk'))).toBe(true);
    for (const output of Object.values(result.metafile.outputs)) {
      expect(output.imports.filter((i) => i.path.includes('duckdb'))).toEqual([]);
    }
  });
});
