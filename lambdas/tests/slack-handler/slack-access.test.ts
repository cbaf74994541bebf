import { ConfigError } from '@revbot/core';
import { type LocalSlackApi, startLocalSlackApi } from '@revbot/testing/local-slack-api';
import { recordingLogger } from '@revbot/testing/recording-logger';
import {
  appMentionBody,
  BOT_USER,
  CHANNEL,
  signedRequest,
  TEAM,
} from '@revbot/testing/slack-requests';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { staticSlackCredentials } from '../../shared/slack/slack-credentials';
import { slackWebClients } from '../../shared/slack/slack-web-client';
import { inMemoryEventClaims } from '../../slack-handler/event-claims';
import { arrayQueuePublisher } from '../../slack-handler/queue-publisher';
import {
  CHANNEL_NOT_ALLOWED_TEXT,
  decideSlackAccess,
  OPEN_SLACK_ACCESS,
  type SlackAccessPolicy,
  slackAccessPolicyFromEnv,
} from '../../slack-handler/slack-access';
import { parseSlackEnvelope } from '../../slack-handler/slack-events';
import { createSlackHandler, PLACEHOLDER_TEXT } from '../../slack-handler/slack-handler';

const SIGNING_SECRET = 'access-signing-secret-0123456789ab';
const BOT_TOKEN = 'xoxb-access-test';
const APP_ID = 'A0REVBOT01';
const OTHER_TEAM = 'T0PARTNER9';

let slack: LocalSlackApi;
beforeAll(async () => {
  slack = await startLocalSlackApi({ botToken: BOT_TOKEN, botUserId: BOT_USER, teamId: TEAM });
});
afterAll(() => slack.close());
beforeEach(() => {
  slack.calls.length = 0;
  slack.messages.clear();
});

type Body = Record<string, unknown> & { event: Record<string, unknown> };

/** The fixture's app_mention with changes to the envelope and to its event. */
function mention(envelope: Record<string, unknown> = {}, event: Record<string, unknown> = {}) {
  const body = JSON.parse(appMentionBody()) as Body;
  return JSON.stringify({ ...body, ...envelope, event: { ...body.event, ...event } });
}

/** A Slack Connect channel shared with another organisation, asked by one of its users. */
const externalUserMention = () =>
  mention({ is_ext_shared_channel: true }, { user: 'U0PARTNER1', user_team: OTHER_TEAM });

const callbackOf = (body: string) => {
  const envelope = parseSlackEnvelope(body);
  if (envelope.type !== 'event_callback') throw new Error('not an event callback');
  return envelope.callback;
};

function setup(
  options: { access?: SlackAccessPolicy; appId?: string; signingSecret?: string } = {},
) {
  const queue = arrayQueuePublisher();
  const logger = recordingLogger();
  const gateway = createSlackHandler({
    credentials: staticSlackCredentials({
      botToken: BOT_TOKEN,
      signingSecret: options.signingSecret ?? SIGNING_SECRET,
    }),
    slackClient: slackWebClients({ apiUrl: slack.url, timeoutMs: 2_000, retries: 0, logger }),
    claims: inMemoryEventClaims(),
    queue,
    logger,
    appId: options.appId,
    access: options.access,
    signingSecretName: 'revops/test/slack-signing',
  });
  const sign = (body: string) =>
    signedRequest(body, { signingSecret: options.signingSecret ?? SIGNING_SECRET });
  return { gateway, queue, logger, sign };
}

const policy = (changes: Partial<SlackAccessPolicy>): SlackAccessPolicy => ({
  ...OPEN_SLACK_ACCESS,
  ...changes,
});

describe('decideSlackAccess', () => {
  it('admits the allowlisted workspace and ignores any other, by team_id or by installation', () => {
    const allowed = policy({ allowedTeams: [TEAM] });
    expect(decideSlackAccess(callbackOf(mention()), allowed)).toEqual({ action: 'allow' });
    expect(decideSlackAccess(callbackOf(mention({ team_id: OTHER_TEAM })), allowed)).toEqual({
      action: 'ignore',
      reason: 'foreign_team',
    });
    const foreignInstall = mention({
      authorizations: [{ team_id: OTHER_TEAM, user_id: BOT_USER, is_bot: true }],
    });
    expect(decideSlackAccess(callbackOf(foreignInstall), allowed).action).toBe('ignore');
  });

  it("checks the asking user's own team against the allowlist too", () => {
    const body = mention({}, { user_team: OTHER_TEAM });
    expect(decideSlackAccess(callbackOf(body), policy({ allowedTeams: [TEAM] }))).toEqual({
      action: 'ignore',
      reason: 'foreign_team',
    });
    // Both organisations allowlisted: the shared-channel rule still decides.
    const both = policy({ allowedTeams: [TEAM, OTHER_TEAM] });
    expect(decideSlackAccess(callbackOf(externalUserMention()), both)).toEqual({
      action: 'ignore',
      reason: 'external_user',
    });
  });

  it('admits a whole Enterprise Grid org by its enterprise id', () => {
    const body = mention({ team_id: 'T0GRIDWS1', enterprise_id: 'E0GRIDORG', authorizations: [] });
    expect(decideSlackAccess(callbackOf(body), policy({ allowedTeams: ['E0GRIDORG'] }))).toEqual({
      action: 'allow',
    });
  });

  it('ignores external users of a Slack Connect channel unless they are allowed', () => {
    expect(decideSlackAccess(callbackOf(externalUserMention()), OPEN_SLACK_ACCESS)).toEqual({
      action: 'ignore',
      reason: 'external_user',
    });
    expect(
      decideSlackAccess(callbackOf(externalUserMention()), policy({ allowExternalUsers: true })),
    ).toEqual({ action: 'allow' });
    // The workspace's own people in the same shared channel are answered.
    const ownUser = mention({ is_ext_shared_channel: true }, { user_team: TEAM });
    expect(decideSlackAccess(callbackOf(ownUser), OPEN_SLACK_ACCESS)).toEqual({ action: 'allow' });
  });

  it('refuses channels outside the channel list, never direct messages', () => {
    const channels = policy({ allowedChannels: ['C0REVOPS01'] });
    expect(decideSlackAccess(callbackOf(mention()), channels)).toEqual({
      action: 'refuse',
      reason: 'channel_not_allowed',
    });
    expect(decideSlackAccess(callbackOf(mention({}, { channel: 'C0REVOPS01' })), channels)).toEqual(
      { action: 'allow' },
    );
    expect(decideSlackAccess(callbackOf(mention({}, { channel: 'D0DIRECT01' })), channels)).toEqual(
      { action: 'allow' },
    );
  });
});

describe('slackAccessPolicyFromEnv', () => {
  it('reads comma-separated ids and the external-user switch', () => {
    expect(
      slackAccessPolicyFromEnv({
        SLACK_ALLOWED_TEAMS: ' T0REVTEAM , E0GRIDORG ',
        SLACK_ALLOW_EXTERNAL_USERS: 'true',
        SLACK_ALLOWED_CHANNELS: 'C0SALES01,G0PRIVATE1',
      }),
    ).toEqual({
      allowedTeams: ['T0REVTEAM', 'E0GRIDORG'],
      allowExternalUsers: true,
      allowedChannels: ['C0SALES01', 'G0PRIVATE1'],
    });
    expect(slackAccessPolicyFromEnv({})).toEqual(OPEN_SLACK_ACCESS);
  });

  it('stops start-up on an id that is not a Slack id, naming the variable and entry', () => {
    expect(() =>
      slackAccessPolicyFromEnv({ SLACK_ALLOWED_TEAMS: 'T0REVTEAM,acme.slack.com' }),
    ).toThrow(
      new ConfigError('Invalid configuration: SLACK_ALLOWED_TEAMS: entry 2 is not a Slack id'),
    );
    expect(() => slackAccessPolicyFromEnv({ SLACK_ALLOWED_CHANNELS: '#sales' })).toThrow(
      /SLACK_ALLOWED_CHANNELS: entry 1/,
    );
  });
});

describe('the Slack handler with an access policy', () => {
  it.each([
    ['a foreign team_id', mention({ team_id: OTHER_TEAM }), 'foreign_team'],
    ['a user of another team', mention({}, { user_team: OTHER_TEAM }), 'foreign_team'],
    // Its organisation is not allowlisted: that decides before the shared-channel rule.
    ['an external user in a shared channel', externalUserMention(), 'foreign_team'],
    ['another app', mention({ api_app_id: 'A0OTHERAPP' }), 'other_app'],
    ['no app id at all', mention({ api_app_id: undefined }), 'other_app'],
  ])('acknowledges an event from %s with 200 and does nothing else', async (_, body, reason) => {
    const { gateway, queue, logger, sign } = setup({
      access: policy({ allowedTeams: [TEAM] }),
      appId: APP_ID,
    });
    const response = await gateway(sign(body));
    expect(response.statusCode).toBe(200);
    expect(queue.messages).toHaveLength(0);
    expect(slack.calls).toHaveLength(0);
    const line = logger.entries.find((e) => e.message === 'Slack event ignored');
    expect(line?.extra).toMatchObject({ reason, event_id: 'Ev0REVBOT01' });
    expect(JSON.stringify(logger.entries)).not.toContain(SIGNING_SECRET);
    expect(JSON.stringify(logger.entries)).not.toContain(BOT_TOKEN);
  });

  it('answers its own workspace and app as before', async () => {
    const { gateway, queue, sign } = setup({
      access: policy({ allowedTeams: [TEAM] }),
      appId: APP_ID,
    });
    expect((await gateway(sign(mention()))).statusCode).toBe(200);
    expect(queue.messages).toHaveLength(1);
    expect(slack.calls.map((c) => c.args.text)).toEqual([PLACEHOLDER_TEXT]);
  });

  it('ignores external users by default, with no policy configured at all', async () => {
    const { gateway, queue, sign, logger } = setup();
    expect((await gateway(sign(externalUserMention()))).statusCode).toBe(200);
    expect(logger.entries.find((e) => e.message === 'Slack event ignored')?.extra).toMatchObject({
      reason: 'external_user',
    });
    expect(queue.messages).toHaveLength(0);
    expect(slack.calls).toHaveLength(0);
  });

  it('says politely in the thread that it does not answer in a channel off the list', async () => {
    const { gateway, queue, sign } = setup({ access: policy({ allowedChannels: ['C0REVOPS01'] }) });
    const body = mention({}, { ts: '1763890000.000300' });
    expect((await gateway(sign(body))).statusCode).toBe(200);
    expect(queue.messages).toHaveLength(0);
    expect(slack.thread(CHANNEL, '1763890000.000300').map((m) => m.text)).toEqual([
      CHANNEL_NOT_ALLOWED_TEXT,
    ]);
    // A retry of the same event does not say it twice.
    expect((await gateway(sign(body))).statusCode).toBe(200);
    expect(slack.thread(CHANNEL, '1763890000.000300')).toHaveLength(1);
  });
});

describe('the signing secret', () => {
  it.each([
    ['the deployed placeholder', 'REPLACE_ME'],
    ['an empty value', ''],
    ['a placeholder in other words', 'please-replace-me-with-the-secret'],
    ['a value too short to be one', 'abc123'],
    ['a value with spaces', 'my signing secret from the app page'],
  ])(
    'is refused with 503 while it is %s, naming the secret, never its value',
    async (_, secret) => {
      const { gateway, queue, logger } = setup({ signingSecret: secret });
      // Signed with that very value: a placeholder must not verify anything.
      const response = await gateway(signedRequest(mention(), { signingSecret: secret || 'x' }));
      expect(response.statusCode).toBe(503);
      expect(JSON.parse(response.body).error.code).toBe('SIGNING_SECRET_NOT_CONFIGURED');
      expect(queue.messages).toHaveLength(0);
      expect(slack.calls).toHaveLength(0);
      const line = logger.entries.find((e) => e.level === 'error');
      expect(JSON.stringify(line?.extra)).toContain('revops/test/slack-signing');
      if (secret.length > 0) expect(JSON.stringify(logger.entries)).not.toContain(secret);
      expect(response.body).not.toContain('revops/test/slack-signing');
    },
  );
});
