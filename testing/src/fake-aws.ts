/**
 * The local AWS router: one loopback server that routes each request by the service in its SigV4
 * credential scope, so the real SDK v3 clients talk to it through `AWS_ENDPOINT_URL`. It mounts
 * the one local S3 (`local-s3`) and the one local SQS (`sqs-endpoint` over `LocalQueue`s) and
 * speaks itself only what no other fake does: CloudFormation (query/XML), Secrets Manager and
 * CloudWatch Logs (JSON 1.1), CloudWatch (JSON 1.0, query-compatible), Bedrock Agent and Lambda
 * Invoke (REST-JSON). An unsigned request is refused as AWS would (the API Gateway stand-in). State is
 * plain data the tests set up and inspect. DynamoDB is `embedded-dynamodb`, on its own port.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './listen-on-loopback';
import type { LocalQueue } from './local-queue';
import { createLocalS3, type S3Object, type StoredObject, s3ErrorXml, xmlEscape } from './local-s3';
import {
  createSqsEndpoint,
  queueArn as sqsQueueArn,
  queueUrl as sqsQueueUrl,
} from './sqs-endpoint';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export interface FakeStack {
  status?: string;
  outputs?: Record<string, string>;
  resources?: { logicalId: string; physicalId: string; type: string }[];
}

export interface FakeAgent {
  name: string;
  status: string;
  collaboration?: 'SUPERVISOR' | 'SUPERVISOR_ROUTER' | 'DISABLED';
  failureReasons?: string[];
  /** Numbered versions that exist (DRAFT always does). */
  versions: string[];
  aliases: Record<string, { name: string; version: string; status?: string }>;
  /** Collaborators of every version (the tests' agents do not vary them by version). */
  collaborators?: { name: string; aliasArn: string }[];
}

export interface IngestionStep {
  status: 'STARTING' | 'IN_PROGRESS' | 'COMPLETE' | 'FAILED' | 'STOPPED';
  statistics?: Record<string, number>;
  failureReasons?: string[];
}

export interface FakeIngestionJob {
  id: string;
  status: string;
  startedAt: Date;
  updatedAt: Date;
  statistics?: Record<string, number>;
  failureReasons?: string[];
  /** What each later GetIngestionJob reports, one step per call. */
  remaining: IngestionStep[];
}

export interface FakeDataSource {
  jobs: FakeIngestionJob[];
  /** Steps a newly started job goes through. */
  script: IngestionStep[];
  /** Documents as ListKnowledgeBaseDocuments reports them. */
  documents?: { uri: string; status: string; statusReason?: string }[];
}

export interface FakeLogEvent {
  timestamp: number;
  message: string;
  logStreamName?: string;
}

/**
 * A function `lambda:Invoke` reaches: it answers the payload it is given (what the deployed code
 * would return), or fails as a function error (`X-Amz-Function-Error`).
 */
export type FakeFunction = (payload: unknown) => unknown | { functionError: string };

export interface FakeAwsState {
  stacks: Record<string, FakeStack>;
  /** Queues by name (each `new LocalQueue({ name, … })`). */
  queues: Record<string, LocalQueue>;
  secrets: Record<string, { name: string; value: string }>;
  agents: Record<string, FakeAgent>;
  /** `<knowledgeBaseId>/<dataSourceId>` → data source. */
  dataSources: Record<string, FakeDataSource>;
  /** Buckets by name; a write to a missing bucket answers NoSuchBucket. */
  buckets: Record<string, Map<string, S3Object>>;
  logGroups: Record<string, FakeLogEvent[]>;
  /** Lambda `Errors` metric sums by function name. */
  lambdaErrors: Record<string, number>;
  /** Functions `lambda:Invoke` reaches, by name; any other name is ResourceNotFoundException. */
  functions?: Record<string, FakeFunction>;
  /** Routes of the API Gateway stand-in: path → status code. */
  api: Record<string, number>;
  /** Every call to this service fails with this error (expired token, access denied…). */
  fault?: { service: string; status: number; code: string; message: string };
}

export interface RecordedCall {
  service: string;
  action: string;
  input: unknown;
}

export interface FakeAws {
  url: string;
  state: FakeAwsState;
  calls: RecordedCall[];
  /** Every S3 PutObject, in order. */
  objects: StoredObject[];
  /** Environment for `io.env`: endpoint, dummy keys, region. */
  env(extra?: Record<string, string | undefined>): Record<string, string | undefined>;
  queueUrl(name: string): string;
  queueArn(name: string): string;
  close(): Promise<void>;
}

export function emptyState(): FakeAwsState {
  return {
    stacks: {},
    queues: {},
    secrets: {},
    agents: {},
    dataSources: {},
    buckets: {},
    logGroups: {},
    lambdaErrors: {},
    api: {},
  };
}

class Fault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startFakeAws(state: FakeAwsState = emptyState()): Promise<FakeAws> {
  const calls: RecordedCall[] = [];
  let startedJobs = 0;
  let base = '';
  const queueUrl = (name: string) => sqsQueueUrl(base, name, ACCOUNT);
  const queueArn = (name: string) => sqsQueueArn(name, ACCOUNT, REGION);
  const record = (service: string, action: string, input: unknown) =>
    calls.push({ service, action, input });
  const s3 = createLocalS3({
    buckets: state.buckets,
    createBuckets: false,
    onCall: (action, input) => record('s3', action, input),
  });
  const sqs = createSqsEndpoint(state.queues, { accountId: ACCOUNT, region: REGION });

  // CloudFormation: query protocol in, XML out.
  const cloudformation = (params: URLSearchParams): Reply => {
    const action = params.get('Action') ?? '';
    record('cloudformation', action, Object.fromEntries(params));
    const name = params.get('StackName') ?? '';
    const stack = state.stacks[name];
    if (!stack) throw new Fault(400, 'ValidationError', `Stack with id ${name} does not exist`);
    const stackId = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${name}/0f1e2d3c`;
    let result: string;
    if (action === 'DescribeStacks') {
      const outputs = Object.entries(stack.outputs ?? {})
        .map(
          ([key, value]) =>
            `<member><OutputKey>${xmlEscape(key)}</OutputKey><OutputValue>${xmlEscape(value)}</OutputValue></member>`,
        )
        .join('');
      result = `<Stacks><member><StackName>${name}</StackName><StackId>${stackId}</StackId><CreationTime>2026-11-01T10:00:00.000Z</CreationTime><StackStatus>${stack.status ?? 'UPDATE_COMPLETE'}</StackStatus><Outputs>${outputs}</Outputs></member></Stacks>`;
    } else if (action === 'ListStackResources') {
      const resources = (stack.resources ?? [])
        .map(
          (r) =>
            `<member><LogicalResourceId>${xmlEscape(r.logicalId)}</LogicalResourceId><PhysicalResourceId>${xmlEscape(r.physicalId)}</PhysicalResourceId><ResourceType>${r.type}</ResourceType><ResourceStatus>CREATE_COMPLETE</ResourceStatus><LastUpdatedTimestamp>2026-11-01T10:00:00.000Z</LastUpdatedTimestamp></member>`,
        )
        .join('');
      result = `<StackResourceSummaries>${resources}</StackResourceSummaries>`;
    } else {
      throw new Fault(400, 'InvalidAction', `Unsupported action ${action}`);
    }
    return {
      headers: { 'content-type': 'text/xml' },
      body: `<${action}Response xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
    };
  };

  // Secrets Manager: JSON 1.1.
  const secretsmanager: Record<string, (input: Record<string, unknown>) => unknown> = {
    GetSecretValue(input) {
      const id = String(input.SecretId);
      const entry = Object.entries(state.secrets).find(([arn, s]) => arn === id || s.name === id);
      if (!entry) {
        throw new Fault(
          400,
          'ResourceNotFoundException',
          "Secrets Manager can't find the specified secret.",
        );
      }
      const [arn, secret] = entry;
      return {
        ARN: arn,
        Name: secret.name,
        VersionId: 'v1',
        SecretString: secret.value,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1_762_000_000,
      };
    },
  };

  // CloudWatch Logs: JSON 1.1.
  const logs: Record<string, (input: Record<string, unknown>) => unknown> = {
    DescribeLogGroups(input) {
      const prefix = String(input.logGroupNamePrefix ?? '');
      return {
        logGroups: Object.keys(state.logGroups)
          .filter((name) => name.startsWith(prefix))
          .sort()
          .map((name) => ({
            logGroupName: name,
            creationTime: 1_762_000_000_000,
            arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}:*`,
          })),
      };
    },
    FilterLogEvents(input) {
      const name = String(input.logGroupName ?? input.logGroupIdentifier ?? '');
      const events = state.logGroups[name];
      if (!events) {
        throw new Fault(
          400,
          'ResourceNotFoundException',
          'The specified log group does not exist.',
        );
      }
      const start = Number(input.startTime ?? 0);
      const end = Number(input.endTime ?? Number.MAX_SAFE_INTEGER);
      // Unstructured patterns: every term must appear, or any one of `?term ?term`.
      const parts = [...String(input.filterPattern ?? '').matchAll(/(\?)?(?:"([^"]*)"|(\S+))/g)];
      const anyOf = parts.some((m) => m[1] === '?');
      const terms = parts.map((m) => m[2] ?? m[3] ?? '');
      const matches = (message: string) =>
        terms.length === 0 ||
        (anyOf ? terms.some((t) => message.includes(t)) : terms.every((t) => message.includes(t)));
      const matching = events
        .map((e, i) => ({ ...e, eventId: `${e.timestamp}-${i}` }))
        .filter((e) => e.timestamp >= start && e.timestamp <= end)
        .filter((e) => matches(e.message))
        .sort((a, b) => a.timestamp - b.timestamp);
      const offset = Number(input.nextToken ?? 0);
      const limit = Number(input.limit ?? 10_000);
      const page = matching.slice(offset, offset + Math.min(limit, 3));
      const next = offset + page.length;
      return {
        events: page.map((e) => ({
          logStreamName: e.logStreamName ?? '2026/11/23/[$LATEST]abc',
          timestamp: e.timestamp,
          message: e.message,
          ingestionTime: e.timestamp + 10,
          eventId: e.eventId,
        })),
        ...(next < Math.min(matching.length, limit) ? { nextToken: String(next) } : {}),
        searchedLogStreams: [],
      };
    },
  };

  // CloudWatch: JSON 1.0 (query-compatible), target GraniteServiceVersion20100801.
  const cloudwatch: Record<string, (input: Record<string, unknown>) => unknown> = {
    GetMetricData(input) {
      const queries = (input.MetricDataQueries ?? []) as {
        Id: string;
        MetricStat: {
          Metric: { MetricName: string; Dimensions?: { Name: string; Value: string }[] };
        };
      }[];
      const end = Number(input.EndTime);
      return {
        MetricDataResults: queries.map((q) => {
          const fn =
            q.MetricStat.Metric.Dimensions?.find((d) => d.Name === 'FunctionName')?.Value ?? '';
          const errors =
            q.MetricStat.Metric.MetricName === 'Errors' ? state.lambdaErrors[fn] : undefined;
          return {
            Id: q.Id,
            Label: fn,
            Timestamps: errors === undefined ? [] : [end - 600],
            Values: errors === undefined ? [] : [errors],
            StatusCode: 'Complete',
          };
        }),
        Messages: [],
      };
    },
  };

  const bedrockJob = (kb: string, ds: string, job: FakeIngestionJob) => ({
    knowledgeBaseId: kb,
    dataSourceId: ds,
    ingestionJobId: job.id,
    status: job.status,
    startedAt: job.startedAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    ...(job.statistics ? { statistics: job.statistics } : {}),
    ...(job.failureReasons ? { failureReasons: job.failureReasons } : {}),
  });

  // Bedrock Agent (build time): REST-JSON.
  const bedrock = (method: string, path: string, input: Record<string, unknown>): Reply => {
    const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
    const json = (body: unknown, status = 200): Reply => ({
      status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (segments[0] === 'agents') {
      const agentId = segments[1] ?? '';
      const agent = state.agents[agentId];
      if (!agent) throw new Fault(404, 'ResourceNotFoundException', `Agent ${agentId} not found`);
      if (method === 'GET' && segments.length === 2) {
        record('bedrock', 'GetAgent', { agentId });
        return json({
          agent: {
            agentId,
            agentName: agent.name,
            agentArn: `arn:aws:bedrock:${REGION}:${ACCOUNT}:agent/${agentId}`,
            agentVersion: 'DRAFT',
            agentStatus: agent.status,
            agentCollaboration: agent.collaboration ?? 'DISABLED',
            idleSessionTTLInSeconds: 600,
            agentResourceRoleArn: `arn:aws:iam::${ACCOUNT}:role/agent`,
            createdAt: '2026-11-01T10:00:00Z',
            updatedAt: '2026-11-02T10:00:00Z',
            ...(agent.failureReasons ? { failureReasons: agent.failureReasons } : {}),
          },
        });
      }
      if (method === 'GET' && segments[2] === 'agentaliases' && segments[3]) {
        record('bedrock', 'GetAgentAlias', { agentId, aliasId: segments[3] });
        const alias = agent.aliases[segments[3]];
        if (!alias)
          throw new Fault(404, 'ResourceNotFoundException', `Alias ${segments[3]} not found`);
        return json({
          agentAlias: {
            agentId,
            agentAliasId: segments[3],
            agentAliasName: alias.name,
            agentAliasArn: `arn:aws:bedrock:${REGION}:${ACCOUNT}:agent-alias/${agentId}/${segments[3]}`,
            agentAliasStatus: alias.status ?? 'PREPARED',
            routingConfiguration: [{ agentVersion: alias.version }],
            createdAt: '2026-11-01T10:00:00Z',
            updatedAt: '2026-11-02T10:00:00Z',
          },
        });
      }
      if (method === 'PUT' && segments[2] === 'agentaliases' && segments[3]) {
        record('bedrock', 'UpdateAgentAlias', { agentId, aliasId: segments[3], ...input });
        const alias = agent.aliases[segments[3]];
        if (!alias)
          throw new Fault(404, 'ResourceNotFoundException', `Alias ${segments[3]} not found`);
        const routing = input.routingConfiguration as { agentVersion?: string }[] | undefined;
        const version = routing?.[0]?.agentVersion;
        if (version !== undefined && version !== 'DRAFT' && !agent.versions.includes(version)) {
          throw new Fault(
            400,
            'ValidationException',
            `Version ${version} of agent ${agentId} does not exist`,
          );
        }
        if (typeof input.agentAliasName === 'string') alias.name = input.agentAliasName;
        // Without a routing configuration Bedrock snapshots the draft as a new version.
        if (version !== undefined) alias.version = version;
        else {
          const next = String(Math.max(0, ...agent.versions.map(Number)) + 1);
          agent.versions.push(next);
          alias.version = next;
        }
        return json(
          {
            agentAlias: {
              agentId,
              agentAliasId: segments[3],
              agentAliasName: alias.name,
              agentAliasArn: `arn:aws:bedrock:${REGION}:${ACCOUNT}:agent-alias/${agentId}/${segments[3]}`,
              agentAliasStatus: 'UPDATING',
              routingConfiguration: [{ agentVersion: alias.version }],
              createdAt: '2026-11-01T10:00:00Z',
              updatedAt: '2026-11-02T10:00:00Z',
            },
          },
          202,
        );
      }
      if (method === 'POST' && segments[2] === 'agentversions' && segments.length === 3) {
        record('bedrock', 'ListAgentVersions', { agentId });
        return json({
          agentVersionSummaries: ['DRAFT', ...agent.versions].map((version) => ({
            agentName: agent.name,
            agentStatus: agent.status,
            agentVersion: version,
            createdAt: '2026-11-01T10:00:00Z',
            updatedAt: '2026-11-02T10:00:00Z',
          })),
        });
      }
      if (method === 'POST' && segments[4] === 'agentcollaborators') {
        record('bedrock', 'ListAgentCollaborators', { agentId, version: segments[3] });
        return json({
          agentCollaboratorSummaries: (agent.collaborators ?? []).map((c, i) => ({
            agentId,
            agentVersion: segments[3],
            collaboratorId: `COLLAB${i}`,
            agentDescriptor: { aliasArn: c.aliasArn },
            collaborationInstruction: 'Handles its part of the question.',
            relayConversationHistory: 'TO_COLLABORATOR',
            collaboratorName: c.name,
            createdAt: '2026-11-01T10:00:00Z',
            lastUpdatedAt: '2026-11-01T10:00:00Z',
          })),
        });
      }
    }
    if (
      segments[0] === 'knowledgebases' &&
      segments[2] === 'datasources' &&
      (segments[4] === 'ingestionjobs' || segments[4] === 'documents')
    ) {
      const kb = segments[1] ?? '';
      const ds = segments[3] ?? '';
      const source = state.dataSources[`${kb}/${ds}`];
      if (!source) throw new Fault(404, 'ResourceNotFoundException', `Data source ${ds} not found`);
      if (method === 'POST' && segments[4] === 'documents') {
        record('bedrock', 'ListKnowledgeBaseDocuments', input);
        return json({
          documentDetails: (source.documents ?? []).map((d) => ({
            knowledgeBaseId: kb,
            dataSourceId: ds,
            status: d.status,
            identifier: { dataSourceType: 'S3', s3: { uri: d.uri } },
            ...(d.statusReason ? { statusReason: d.statusReason } : {}),
            updatedAt: '2026-11-23T10:00:00Z',
          })),
        });
      }
      if (method === 'POST' && segments.length === 5) {
        record('bedrock', 'ListIngestionJobs', input);
        const sorted = [...source.jobs].sort(
          (a, b) => b.startedAt.getTime() - a.startedAt.getTime(),
        );
        return json({
          ingestionJobSummaries: sorted
            .slice(0, Number(input.maxResults ?? 100))
            .map((job) => bedrockJob(kb, ds, job)),
        });
      }
      if (method === 'PUT' && segments.length === 5) {
        record('bedrock', 'StartIngestionJob', input);
        if (source.jobs.some((j) => ['STARTING', 'IN_PROGRESS', 'STOPPING'].includes(j.status))) {
          throw new Fault(
            409,
            'ConflictException',
            'An ingestion job is already running for this data source.',
          );
        }
        const now = new Date();
        const job: FakeIngestionJob = {
          id: `JOB${++startedJobs}`,
          status: 'STARTING',
          startedAt: now,
          updatedAt: now,
          remaining: [...source.script],
        };
        source.jobs.push(job);
        return json({ ingestionJob: bedrockJob(kb, ds, job) }, 202);
      }
      if (method === 'GET' && segments[5]) {
        record('bedrock', 'GetIngestionJob', { jobId: segments[5] });
        const job = source.jobs.find((j) => j.id === segments[5]);
        if (!job) throw new Fault(404, 'ResourceNotFoundException', `Job ${segments[5]} not found`);
        const step = job.remaining.shift();
        if (step) {
          job.status = step.status;
          job.statistics = step.statistics ?? job.statistics;
          job.failureReasons = step.failureReasons;
          job.updatedAt = new Date();
        }
        return json({ ingestionJob: bedrockJob(kb, ds, job) });
      }
    }
    throw new Fault(404, 'UnknownOperationException', `No route for ${method} ${path}`);
  };

  // Lambda Invoke (RequestResponse): REST-JSON, the payload as the body both ways.
  const invokeFunction = (method: string, path: string, raw: Buffer): Reply => {
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(path);
    if (method !== 'POST' || !match) throw new Fault(400, 'NotImplemented', `No route for ${path}`);
    const name =
      decodeURIComponent(match[1] ?? '')
        .split(':')
        .at(-1) ?? '';
    const payload: unknown = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    record('lambda', 'Invoke', { functionName: name, payload });
    const fn = state.functions?.[name];
    if (!fn) throw new Fault(404, 'ResourceNotFoundException', `Function not found: ${name}`);
    const result = fn(payload);
    const failed =
      typeof result === 'object' && result !== null && 'functionError' in result
        ? String((result as { functionError: unknown }).functionError)
        : undefined;
    return {
      status: 200,
      headers: {
        'content-type': 'application/json',
        'x-amz-executed-version': '$LATEST',
        ...(failed ? { 'x-amz-function-error': 'Unhandled' } : {}),
      },
      body: JSON.stringify(
        failed ? { errorType: failed, errorMessage: `${failed} in ${name}` } : (result ?? null),
      ),
    };
  };

  const jsonRpc = async (
    service: string,
    handlers: Record<string, (input: Record<string, unknown>) => unknown>,
    target: string,
    raw: Buffer,
    contentType: string,
  ): Promise<Reply> => {
    const action = target.split('.').pop() ?? '';
    const input = raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
    record(service, action, input);
    const run = handlers[action];
    if (!run) throw new Fault(400, 'UnknownOperationException', `Unsupported ${target}`);
    return {
      headers: { 'content-type': contentType },
      body: JSON.stringify(await run(input)),
    };
  };

  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    const authorization = String(req.headers.authorization ?? '');
    const service = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(
      authorization,
    )?.[1];
    let protocol: 'query' | 'json' | 'rest-json' | 'rest-xml' | 'api' = 'api';
    try {
      if (!service) {
        // Not an AWS call: the API Gateway stand-in for the channels' endpoints.
        const status = state.api[url.pathname];
        res.writeHead(status ?? 403, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: status ? 'ok' : 'Missing Authentication Token' }));
        return;
      }
      const target = String(req.headers['x-amz-target'] ?? '');
      const fault = state.fault;
      if (fault && fault.service === service) {
        protocol =
          service === 'cloudformation'
            ? 'query'
            : service === 's3'
              ? 'rest-xml'
              : service === 'bedrock' || service === 'lambda'
                ? 'rest-json'
                : 'json';
        throw new Fault(fault.status, fault.code, fault.message);
      }
      let reply: Reply;
      if (service === 'cloudformation') {
        protocol = 'query';
        reply = cloudformation(new URLSearchParams(raw.toString('utf8')));
      } else if (service === 'sqs') {
        const input = raw.length ? (JSON.parse(raw.toString('utf8')) as unknown) : {};
        record('sqs', target.split('.').pop() ?? '', input);
        await sqs(req, res, base, raw);
        return;
      } else if (service === 'secretsmanager') {
        protocol = 'json';
        reply = await jsonRpc(
          'secretsmanager',
          secretsmanager,
          target,
          raw,
          'application/x-amz-json-1.1',
        );
      } else if (service === 'logs') {
        protocol = 'json';
        reply = await jsonRpc('logs', logs, target, raw, 'application/x-amz-json-1.1');
      } else if (service === 'monitoring') {
        protocol = 'json';
        reply = await jsonRpc('monitoring', cloudwatch, target, raw, 'application/x-amz-json-1.0');
      } else if (service === 'bedrock') {
        protocol = 'rest-json';
        const input = raw.length
          ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>)
          : {};
        reply = bedrock(req.method ?? 'GET', url.pathname, input);
      } else if (service === 'lambda') {
        protocol = 'rest-json';
        reply = invokeFunction(req.method ?? 'GET', url.pathname, raw);
      } else if (service === 's3') {
        s3.handle(req, res, raw);
        return;
      } else {
        throw new Fault(400, 'UnknownService', `No fake for ${service}`);
      }
      res.writeHead(reply.status ?? 200, reply.headers ?? {});
      res.end(reply.body ?? '');
    } catch (error) {
      const fault =
        error instanceof Fault ? error : new Fault(500, 'InternalFailure', String(error));
      if (protocol === 'query') {
        res.writeHead(fault.status, { 'content-type': 'text/xml' });
        res.end(
          `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>${fault.code}</Code><Message>${xmlEscape(fault.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
        );
      } else if (protocol === 'rest-xml') {
        res.writeHead(fault.status, { 'content-type': 'application/xml' });
        res.end(s3ErrorXml(fault.code, fault.message));
      } else if (protocol === 'rest-json') {
        res.writeHead(fault.status, {
          'content-type': 'application/json',
          'x-amzn-errortype': fault.code,
        });
        res.end(JSON.stringify({ message: fault.message }));
      } else {
        res.writeHead(fault.status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: fault.code, message: fault.message }));
      }
    }
  });
  const listening = await listenOnLoopback(server);
  base = listening.url;

  return {
    url: base,
    state,
    calls,
    objects: s3.objects,
    env: (extra = {}) => ({
      AWS_ENDPOINT_URL: base,
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_REGION: REGION,
      REVBOT_POLL_MS: '5',
      ...extra,
    }),
    queueUrl,
    queueArn,
    close: listening.close,
  };
}
