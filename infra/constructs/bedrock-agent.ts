/**
 * One Bedrock agent of `agents/`, over the stable L1 resources: its own least-privilege role,
 * the agent (prepared on every change), an alias that moves to a new version whenever the agent
 * changes, and a resource policy on each action-group Lambda for this agent only.
 */
import type { AgentDefinition, CollaboratorDefinition } from '@revbot/agents';
import {
  ALL_ACTIONS_NEED_APPROVAL,
  type ApprovalPolicy,
  BEDROCK_NAME_PATTERN,
} from '@revbot/agents';
import { Stack } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { resourceName } from '../lib/naming';
import { checkStage, InvalidPropError } from '../lib/prop-validation';
import { grantInvokeModels } from './model-access';

/** Name of every agent's alias; the test alias (TSTALIASID) is never used. */
export const AGENT_ALIAS_NAME = 'live';

export interface AgentKnowledgeBaseAccess {
  readonly knowledgeBaseId: string;
  readonly knowledgeBaseArn: string;
}

export interface BedrockAgentProps {
  /** Deployment stage; the agent is named `revops-<stage>-<agent key>`. */
  readonly stage: string;
  readonly definition: AgentDefinition;
  /** The Lambda behind each action group, by tool name; every tool the agent uses must have one. */
  readonly toolFunctions: Readonly<Record<string, lambda.IFunction>>;
  /**
   * The knowledge base the agent retrieves from; required when the definition uses one.
   * @default - none: a definition with a knowledge base is refused
   */
  readonly knowledgeBase?: AgentKnowledgeBaseAccess;
  /**
   * The deployed collaborators of a supervisor, by agent key; each collaborator the definition
   * names must be among them.
   * @default - none: a definition with collaborators is refused
   */
  readonly collaborators?: ReadonlyMap<string, BedrockAgent>;
  /**
   * Which action-group functions need the user's confirmation (`requireConfirmation`): InvokeAgent
   * then returns control before Bedrock runs them.
   * @default - every action of the tool catalogue
   */
  readonly approvals?: ApprovalPolicy;
}

/** `revops-<stage>-deal-analysis-agent`: stage-qualified, within Bedrock's name pattern. */
export function bedrockAgentName(stage: string, key: string): string {
  const name = resourceName(stage, key.replaceAll('_', '-'));
  if (!BEDROCK_NAME_PATTERN.test(name)) {
    throw new Error(
      `Agent name "${name}" (stage "${stage}", agent "${key}") breaks Bedrock's pattern: letters or digits, each optionally followed by one "_" or "-"`,
    );
  }
  return name;
}

export class BedrockAgent extends Construct {
  readonly definition: AgentDefinition;
  readonly role: iam.Role;
  readonly agent: bedrock.CfnAgent;
  readonly alias: bedrock.CfnAgentAlias;

  constructor(scope: Construct, id: string, props: BedrockAgentProps) {
    super(scope, id);
    const { definition } = props;
    this.definition = definition;
    const stack = Stack.of(this);
    checkStage(this, props.stage);
    const agentName = bedrockAgentName(props.stage, definition.key);

    // Bedrock assumes the role for this account's agents only; the agent id is not known
    // before the agent exists, so the ARN condition names the account's agents.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('bedrock.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: {
          'aws:SourceArn': stack.formatArn({
            service: 'bedrock',
            resource: 'agent',
            resourceName: '*',
          }),
        },
      }),
      description: `Service role of the ${definition.displayName} agent (${agentName})`,
    });
    grantInvokeModels(this, this.role, [definition.model], { describe: true });

    if (definition.knowledgeBase) {
      if (!props.knowledgeBase) {
        throw new InvalidPropError(
          this.node.path,
          'knowledgeBase',
          `is required: agent "${definition.key}" uses the knowledge base`,
          props.knowledgeBase,
        );
      }
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['bedrock:Retrieve'],
          resources: [props.knowledgeBase.knowledgeBaseArn],
        }),
      );
    }

    const collaborators = definition.collaborators.map((c) => ({
      collaborator: c,
      deployed: this.collaboratorOf(c, props.collaborators),
    }));
    if (collaborators.length > 0) {
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['bedrock:InvokeAgent', 'bedrock:GetAgentAlias'],
          resources: collaborators.map(({ deployed }) => deployed.aliasArn),
        }),
      );
    }

    const actionGroups = definition.actionGroups.map((group) => {
      const fn = props.toolFunctions[group.tool.name];
      if (!fn) {
        throw new InvalidPropError(
          this.node.path,
          'toolFunctions',
          `has no Lambda for tool "${group.tool.name}" of agent "${definition.key}"`,
          Object.keys(props.toolFunctions),
        );
      }
      return { group, fn };
    });

    const approvals = props.approvals ?? ALL_ACTIONS_NEED_APPROVAL;
    this.agent = new bedrock.CfnAgent(this, 'Agent', {
      agentName,
      description: definition.description,
      instruction: definition.instructions,
      foundationModel: definition.model.inferenceProfileId,
      agentResourceRoleArn: this.role.roleArn,
      idleSessionTtlInSeconds: definition.idleSessionTtlSeconds,
      autoPrepare: true,
      actionGroups:
        actionGroups.length === 0
          ? undefined
          : actionGroups.map(({ group, fn }) => ({
              actionGroupName: group.name,
              description: group.description,
              actionGroupExecutor: { lambda: fn.functionArn },
              actionGroupState: 'ENABLED',
              functionSchema: {
                functions: group.functions.map((f) => ({
                  name: f.name,
                  description: f.description,
                  requireConfirmation: approvals.requiresApproval(group.tool.name, f.name)
                    ? 'ENABLED'
                    : 'DISABLED',
                  parameters: Object.fromEntries(
                    Object.entries(f.parameters).map(([param, detail]) => [
                      param,
                      {
                        type: detail.type,
                        description: detail.description,
                        required: detail.required,
                      },
                    ]),
                  ),
                })),
              },
            })),
      knowledgeBases:
        definition.knowledgeBase && props.knowledgeBase
          ? [
              {
                knowledgeBaseId: props.knowledgeBase.knowledgeBaseId,
                description: definition.knowledgeBase.description,
                knowledgeBaseState: 'ENABLED',
              },
            ]
          : undefined,
      agentCollaboration: definition.collaboration,
      agentCollaborators:
        collaborators.length > 0
          ? collaborators.map(({ collaborator, deployed }) => ({
              agentDescriptor: { aliasArn: deployed.aliasArn },
              collaboratorName: collaborator.name,
              collaborationInstruction: collaborator.instruction,
              relayConversationHistory: collaborator.relayConversationHistory
                ? 'TO_COLLABORATOR'
                : 'DISABLED',
            }))
          : undefined,
    });
    // autoPrepare runs as the role: its permissions must exist first.
    this.agent.node.addDependency(this.role);

    // Each action group's Lambda may be invoked by this agent and no other.
    for (const { fn } of actionGroups) {
      fn.addPermission(`InvokedBy${pascal(definition.key)}`, {
        principal: new iam.ServicePrincipal('bedrock.amazonaws.com'),
        action: 'lambda:InvokeFunction',
        sourceAccount: stack.account,
        sourceArn: this.agent.attrAgentArn,
      });
    }

    // Without a routing configuration an alias update creates a new version from the prepared
    // draft; carrying the agent's update time in the description makes every agent change
    // update the alias, so the alias always serves the current definition.
    this.alias = new bedrock.CfnAgentAlias(this, 'Alias', {
      agentId: this.agent.attrAgentId,
      agentAliasName: AGENT_ALIAS_NAME,
      description: `${definition.displayName} agent as of ${this.agent.attrUpdatedAt}`,
    });
  }

  get agentId(): string {
    return this.agent.attrAgentId;
  }

  get agentArn(): string {
    return this.agent.attrAgentArn;
  }

  get aliasId(): string {
    return this.alias.attrAgentAliasId;
  }

  get aliasArn(): string {
    return this.alias.attrAgentAliasArn;
  }

  private collaboratorOf(
    collaborator: CollaboratorDefinition,
    deployed: ReadonlyMap<string, BedrockAgent> | undefined,
  ): BedrockAgent {
    const agent = deployed?.get(collaborator.agentKey);
    if (!agent) {
      throw new InvalidPropError(
        this.node.path,
        'collaborators',
        `must hold collaborator "${collaborator.agentKey}", created before its supervisor`,
        [...(deployed?.keys() ?? [])],
      );
    }
    return agent;
  }
}

/** `deal_analysis_agent` → `DealAnalysisAgent`. */
export const pascal = (key: string): string =>
  key
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
