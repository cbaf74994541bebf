/**
 * The agents: one Lambda per tool, the knowledge base, and — with `agentRuntime=bedrock-agents`
 * (the default) — the six Bedrock agents defined in `agents/` with their aliases, the Manager
 * supervising the other five. With `agentRuntime=converse` no Bedrock agent exists: the
 * processors run the same definitions in RevBot's own orchestrator, with a session table here.
 */
import {
  type AgentSet,
  approvalPolicy,
  loadAgents,
  parseActionsWithoutApproval,
} from '@revbot/agents';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { BedrockAgent, pascal } from '../constructs/bedrock-agent';
import { KnowledgeBase } from '../constructs/knowledge-base';
import { grantInvokeModels, inferenceProfileArn } from '../constructs/model-access';
import { ToolFunctions } from '../constructs/tool-functions';
import type { AgentRuntimeAccess } from '../lib/agent-runtime-access';
import type { RevbotConfig } from '../lib/config';
import { expiringTable } from '../lib/expiring-table';
import { resourceName } from '../lib/naming';
import { TABLE_TTL_ATTRIBUTES } from '../lib/queue-settings';

/** What the portable runtime does with its session history: items of one session at a time. */
export const SESSION_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'dynamodb:BatchWriteItem',
];

export interface AgentsStackProps extends StackProps {
  config: RevbotConfig;
  /** Agent definitions (default: loaded and validated from `agents/`). */
  definitions?: AgentSet;
}

export class AgentsStack extends Stack implements AgentRuntimeAccess {
  readonly definitions: AgentSet;
  readonly tools: ToolFunctions;
  readonly knowledgeBase: KnowledgeBase;
  /** The deployed Bedrock agents by key (`bedrock-agents` runtime only). */
  readonly bedrockAgents: ReadonlyMap<string, BedrockAgent>;
  /** Conversation history of the portable runtime (`converse` runtime only). */
  readonly sessionTable?: dynamodb.Table;
  readonly runtimeEnvironment: Record<string, string>;
  private readonly grantRuntime: (grantee: iam.IGrantable) => void;

  constructor(scope: Construct, id: string, props: AgentsStackProps) {
    super(scope, id, props);
    const { stage, agentRuntime } = props.config;
    const approvals = approvalPolicy(
      parseActionsWithoutApproval(props.config.actionsWithoutApproval, 'actionsWithoutApproval'),
    );
    this.definitions = props.definitions ?? loadAgents();

    this.tools = new ToolFunctions(this, 'Tools', { stage });
    const toolFunctions = Object.fromEntries(
      Object.entries(this.tools.byName).map(([name, tool]) => [name, tool.function]),
    );

    this.knowledgeBase = new KnowledgeBase(this, 'KnowledgeBase', { stage });
    new CfnOutput(this, 'KnowledgeBaseId', { value: this.knowledgeBase.knowledgeBaseId });
    new CfnOutput(this, 'KnowledgeBaseDataSourceId', { value: this.knowledgeBase.dataSourceId });
    new CfnOutput(this, 'KnowledgeBaseBucketName', { value: this.knowledgeBase.bucket.bucketName });

    if (agentRuntime === 'bedrock-agents') {
      // Collaborators come first in the definitions, so each supervisor finds its aliases.
      const deployed = new Map<string, BedrockAgent>();
      for (const definition of this.definitions.agents) {
        const agent = new BedrockAgent(this, pascal(definition.key), {
          stage,
          definition,
          toolFunctions,
          knowledgeBase: this.knowledgeBase,
          collaborators: deployed,
          approvals,
        });
        deployed.set(definition.key, agent);
        new CfnOutput(this, `${pascal(definition.key)}Id`, { value: agent.agentId });
        new CfnOutput(this, `${pascal(definition.key)}AliasId`, { value: agent.aliasId });
      }
      this.bedrockAgents = deployed;
      const manager = deployed.get(this.definitions.entry.key)!;
      // A rejected action reaches no Lambda on Bedrock: the processor logs each decision itself.
      const writer = toolFunctions.firebolt_writer!;
      this.runtimeEnvironment = {
        AGENT_RUNTIME: 'bedrock-agents',
        MANAGER_AGENT_ID: manager.agentId,
        MANAGER_AGENT_ALIAS_ID: manager.aliasId,
        AGENT_DECISION_LOG_FUNCTION: writer.functionArn,
      };
      this.grantRuntime = (grantee) => {
        iam.Grant.addToPrincipal({
          grantee,
          actions: ['bedrock:InvokeAgent'],
          resourceArns: [manager.aliasArn],
        });
        iam.Grant.addToPrincipal({
          grantee,
          actions: ['lambda:InvokeFunction'],
          resourceArns: [writer.functionArn],
        });
      };
    } else {
      this.bedrockAgents = new Map();
      const table = expiringTable(this, 'SessionTable', {
        tableName: resourceName(stage, 'agent-sessions'),
        partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
        timeToLiveAttribute: TABLE_TTL_ATTRIBUTES['agent-sessions'],
      });
      this.sessionTable = table;
      new CfnOutput(this, 'SessionTableName', { value: table.tableName });
      const models = this.definitions.models;
      this.runtimeEnvironment = {
        AGENT_RUNTIME: 'converse',
        AGENT_MODEL_ID: this.definitions.entry.model.inferenceProfileId,
        AGENT_TOOL_FUNCTIONS: Stack.of(this).toJsonString(
          Object.fromEntries(
            Object.entries(toolFunctions).map(([name, fn]) => [name, fn.functionArn]),
          ),
        ),
        KNOWLEDGE_BASE_ID: this.knowledgeBase.knowledgeBaseId,
        AGENT_SESSION_TABLE: table.tableName,
        // Runs waiting for approval live in the session table too.
        ...(approvals.exempt.length > 0
          ? { AGENT_ACTIONS_WITHOUT_APPROVAL: approvals.exempt.join(',') }
          : {}),
      };
      this.grantRuntime = (grantee) => {
        grantInvokeModels(this, grantee, models);
        iam.Grant.addToPrincipal({
          grantee,
          actions: ['lambda:InvokeFunction'],
          resourceArns: Object.values(toolFunctions).map((fn) => fn.functionArn),
        });
        this.knowledgeBase.grantRetrieve(grantee);
        table.grant(grantee, ...SESSION_TABLE_ACTIONS);
      };
      new CfnOutput(this, 'ModelInferenceProfileArn', {
        value: inferenceProfileArn(this, this.definitions.entry.model),
      });
    }
  }

  /** Allows a processor to ask the agents through the configured runtime, and nothing more. */
  grantAsk(grantee: iam.IGrantable): void {
    this.grantRuntime(grantee);
  }
}
