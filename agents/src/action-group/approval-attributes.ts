/**
 * The session attributes a tool receives with an action a person decided on: who, when and what.
 * The runtime sets them from the decision, after the model's turn, so a tool (the action log)
 * can trust them where it could never trust the model's parameters.
 */
export const APPROVAL_ATTRIBUTES = {
  decidedBy: 'revbot_approval_decided_by',
  decidedAt: 'revbot_approval_decided_at',
  decision: 'revbot_approval_decision',
} as const;
