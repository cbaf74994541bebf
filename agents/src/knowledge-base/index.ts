/**
 * @revbot/agents/knowledge-base: what RevBot reads from `knowledge_base/`: the searchable
 * documents (Bedrock or a local full-text search), the SQL patterns and the warehouse schema.
 */
export {
  BedrockKnowledgeBase,
  type KnowledgeBase,
  LocalKnowledgeBase,
} from './knowledge-base';
export * from './sql-patterns';
export * from './warehouse-schema';
