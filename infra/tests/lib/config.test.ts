import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import {
  loadSlackAccess,
  loadSlackAnswers,
  slackAccessEnvironment,
  slackAgentPolicyEnvironment,
  slackAnswersEnvironment,
} from '../../lib/config';

const access = (context: Record<string, unknown>) =>
  slackAccessEnvironment(loadSlackAccess(new App({ context }).node));

describe('the Slack access keys of CDK context', () => {
  it('become the slack-handler variables, the app id included', () => {
    expect(
      access({
        slackAppId: 'A0REVBOT01',
        slackAllowedTeams: 'T0REVTEAM, E0GRIDORG',
        slackAllowExternalUsers: true,
        slackAllowedChannels: 'C0REVOPS01',
      }),
    ).toEqual({
      SLACK_APP_ID: 'A0REVBOT01',
      SLACK_ALLOWED_TEAMS: 'T0REVTEAM,E0GRIDORG',
      SLACK_ALLOW_EXTERNAL_USERS: 'true',
      SLACK_ALLOWED_CHANNELS: 'C0REVOPS01',
    });
    // `-c slackAllowExternalUsers=false` arrives as text.
    expect(access({ slackAllowExternalUsers: 'false' })).toEqual({
      SLACK_ALLOW_EXTERNAL_USERS: 'false',
    });
  });

  it('set nothing when unset', () => {
    expect(access({})).toEqual({});
  });

  it.each([
    [{ slackAppId: 'revbot' }, 'slackAppId'],
    [{ slackAllowedTeams: 'T0REVTEAM,acme' }, 'slackAllowedTeams'],
    [{ slackAllowedChannels: '#sales' }, 'slackAllowedChannels'],
    [{ slackAllowExternalUsers: 'yes' }, 'slackAllowExternalUsers'],
    [{ slackAgentGroups: '{"execution_agent": "S0REVOPS01"}' }, 'slackAgentGroups'],
    [{ slackAgentGroups: 'execution_agent=S0REVOPS01' }, 'slackAgentGroups'],
  ])('stop the synth on a bad value, naming the key: %o', (context, key) => {
    expect(() => access(context)).toThrow(`Invalid CDK context "${key}"`);
  });
});

describe('the agent policy key of CDK context', () => {
  const policy = (context: Record<string, unknown>) =>
    slackAgentPolicyEnvironment(loadSlackAccess(new App({ context }).node));

  it('becomes the processor variable, from JSON text or a cdk.json object', () => {
    const expected = { SLACK_AGENT_GROUPS: '{"execution_agent":["S0REVOPS01"]}' };
    expect(policy({ slackAgentGroups: '{"execution_agent": ["S0REVOPS01"]}' })).toEqual(expected);
    expect(policy({ slackAgentGroups: { execution_agent: ['S0REVOPS01'] } })).toEqual(expected);
    expect(policy({})).toEqual({});
  });
});

describe('the Slack answer keys of CDK context', () => {
  const answers = (context: Record<string, unknown>) =>
    slackAnswersEnvironment(loadSlackAnswers(new App({ context }).node));

  it('stream with agent sessions when unset', () => {
    expect(answers({})).toEqual({ SLACK_STREAMING: 'on', SLACK_AGENT_SESSIONS: 'on' });
  });

  it('turn each off, from text (`-c`) or a cdk.json boolean', () => {
    expect(answers({ slackStreaming: 'false' })).toEqual({
      SLACK_STREAMING: 'off',
      SLACK_AGENT_SESSIONS: 'on',
    });
    expect(answers({ slackAgentSessions: false })).toEqual({
      SLACK_STREAMING: 'on',
      SLACK_AGENT_SESSIONS: 'off',
    });
  });

  it.each([
    [{ slackStreaming: 'yes' }, 'slackStreaming'],
    [{ slackAgentSessions: 'on' }, 'slackAgentSessions'],
  ])('stop the synth on a bad value, naming the key: %o', (context, key) => {
    expect(() => answers(context)).toThrow(`Invalid CDK context "${key}"`);
  });
});
