import { silentLogger } from '@revbot/core';
import { EMPTY_ALLOWLIST } from '@revbot/lambdas/outbound';
import {
  createFireboltQueryTool,
  createFireboltWriterTool,
  createGongRetrievalTool,
  createWebhookExecutorTool,
  createWebSearchTool,
} from '@revbot/lambdas/tools';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TOOLS, type ToolName } from '../../src';
import type { ActionGroupTool } from '../../src/action-group/action-group-tool';

const unused = async () => {
  throw new Error('not called: this test only reads the declared schemas');
};
const unusedGong = { listCalls: unused, extensiveCalls: unused, transcripts: unused };

/** Every tool of the catalogue, built with dependencies that are never called here. */
const implemented: Record<ToolName, ActionGroupTool> = {
  firebolt_query: createFireboltQueryTool({ warehouse: unused, logger: silentLogger }),
  firebolt_writer: createFireboltWriterTool({ warehouse: unused, logger: silentLogger }),
  gong_retrieval: createGongRetrievalTool({ gong: unusedGong, logger: silentLogger }),
  web_search: createWebSearchTool({
    provider: { name: 'unused', search: unused },
    logger: silentLogger,
  }),
  webhook_executor: createWebhookExecutorTool({
    allowlist: EMPTY_ALLOWLIST,
    signer: unused,
    logger: silentLogger,
  }),
};

describe('the tool implementations agree with the catalogue', () => {
  for (const [name, tool] of Object.entries(implemented) as [ToolName, ActionGroupTool][]) {
    const catalogue = TOOLS[name];

    it(`${name} implements exactly the catalogue's functions`, () => {
      expect(tool.name).toBe(name);
      expect([...tool.functions.keys()].sort()).toEqual(
        catalogue.functions.map((f) => f.name).sort(),
      );
    });

    for (const declared of catalogue.functions) {
      it(`${name}.${declared.name} validates the declared parameters with the declared types and required flags`, () => {
        const schema = tool.functions.get(declared.name)?.parameters;
        expect(schema).toBeDefined();
        const json = z.toJSONSchema(schema as z.ZodType, { io: 'input' }) as {
          properties?: Record<string, { type?: string }>;
          required?: string[];
        };
        const properties = json.properties ?? {};
        expect(Object.keys(properties).sort()).toEqual(Object.keys(declared.parameters).sort());
        expect([...(json.required ?? [])].sort()).toEqual(
          Object.entries(declared.parameters)
            .filter(([, p]) => p.required)
            .map(([key]) => key)
            .sort(),
        );
        for (const [key, parameter] of Object.entries(declared.parameters)) {
          expect(properties[key]?.type, `${declared.name}.${key}`).toBe(parameter.type);
        }
      });
    }
  }
});
