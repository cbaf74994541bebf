import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import {
  loadSlackAccess,
  slackAccessEnvironment,
  slackAgentPolicyEnvironment,
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
