/**
 * One Lambda per tool of the catalogue (`agents/src/tools.ts`), each speaking Bedrock's
 * action-group event and response, with only the permissions its downstream needs.
 */

import { TOOL_NAMES, TOOLS, type ToolName } from '@revbot/agents';
import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { RevbotFunction } from './revbot-function';

export interface ToolFunctionsProps {
  stage: string;
}

export class ToolFunctions extends Construct {
  readonly byName: Record<ToolName, RevbotFunction>;

  constructor(scope: Construct, id: string, props: ToolFunctionsProps) {
    super(scope, id);
    const entries = TOOL_NAMES.map((toolName) => {
      const tool = TOOLS[toolName];
      const fn = new RevbotFunction(this, tool.lambdaDir, {
        stage: props.stage,
        name: `tool-${tool.lambdaDir}`,
        entry: `tools/${tool.lambdaDir}/handler.ts`,
        description: tool.description.slice(0, 256),
        timeout: Duration.seconds(60),
        memorySize: 512,
      });
      return [toolName, fn] as const;
    });
    this.byName = Object.fromEntries(entries) as Record<ToolName, RevbotFunction>;
  }
}
