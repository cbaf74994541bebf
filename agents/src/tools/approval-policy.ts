/**
 * Which tool calls wait for a person's approval. Every action of the catalogue (a function marked
 * `action`: it sends, posts or writes) does, unless the deployment exempts it by name: text from
 * a Gong transcript or a web page must never be enough to make RevBot act. Reads never wait.
 *
 * The exemption list is one setting, `AGENT_ACTIONS_WITHOUT_APPROVAL` (environment) or
 * `actionsWithoutApproval` (CDK context): comma-separated tool names (`firebolt_writer`) or
 * functions (`webhook_executor.send_notification`). A name that is not an action of the catalogue
 * stops start-up, so a typo never silently leaves an action unguarded nor exempts a read.
 */
import { ConfigError } from '@revbot/core';
import { TOOLS } from './index';
import type { ToolName } from './tool-definition';

/** `<tool>.<function>` of every action in the catalogue. */
export const ACTION_FUNCTIONS: readonly string[] = Object.values(TOOLS).flatMap((tool) =>
  tool.functions.filter((fn) => fn.action).map((fn) => `${tool.name}.${fn.name}`),
);

export interface ApprovalPolicy {
  /** True when this call must wait for a person's approval. */
  requiresApproval(tool: string, fn: string): boolean;
  /** The exempted actions (`<tool>.<function>`), for start-up logs. */
  readonly exempt: readonly string[];
}

/** The policy with `exempt` actions running at once; all other actions wait. */
export function approvalPolicy(exempt: readonly string[] = []): ApprovalPolicy {
  const skipped = new Set(exempt);
  return {
    exempt: [...skipped],
    requiresApproval: (tool, fn) => {
      const name = `${tool}.${fn}`;
      return ACTION_FUNCTIONS.includes(name) && !skipped.has(name);
    },
  };
}

/** Every action waits: the default. */
export const ALL_ACTIONS_NEED_APPROVAL: ApprovalPolicy = approvalPolicy();

/**
 * Parses the exemption setting into `<tool>.<function>` names; throws a ConfigError naming
 * `setting` and the entry that is not an action (reads need no exemption; unknown names are typos).
 */
export function parseActionsWithoutApproval(
  value: string | undefined,
  setting = 'AGENT_ACTIONS_WITHOUT_APPROVAL',
): string[] {
  const out: string[] = [];
  for (const entry of (value ?? '').split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    const [toolName, fnName, extra] = entry.split('.');
    const tool = TOOLS[toolName as ToolName];
    const matched =
      tool && extra === undefined
        ? tool.functions.filter((fn) => fn.action && (fnName === undefined || fn.name === fnName))
        : [];
    if (matched.length === 0) {
      throw new ConfigError(
        `Invalid configuration: ${setting}: "${entry}" is not an action; use a tool or <tool>.<function> of: ${ACTION_FUNCTIONS.join(', ')}`,
      );
    }
    for (const fn of matched) out.push(`${toolName}.${fn.name}`);
  }
  return [...new Set(out)];
}
