import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { beforeEach, describe, expect, it } from 'vitest';
import { LoggedRestApi, type LoggedRestApiProps } from '../../constructs/logged-rest-api';
import { bareStack } from './bare-stack';

const PROPS: LoggedRestApiProps = {
  restApiName: 'revops-test-api',
  description: 'A test API',
  stageName: 'test',
  throttle: { rateLimit: 50, burstLimit: 100 },
};

/** A method is needed for the API to validate and deploy; a mock integration is enough. */
const withMethod = (api: LoggedRestApi, path: string, method = 'POST') =>
  api.api.root.resourceForPath(path).addMethod(method, new apigateway.MockIntegration());

describe('LoggedRestApi', () => {
  let stack: Stack;
  beforeEach(() => {
    stack = bareStack();
  });

  it('deploys a regional API with a throttled stage that writes JSON access logs', () => {
    // WHEN
    const api = new LoggedRestApi(stack, 'Api', PROPS);
    withMethod(api, '/ask');

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Name: 'revops-test-api',
      Description: 'A test API',
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    template.resourceCountIs('AWS::ApiGateway::Stage', 1);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'test',
      AccessLogSetting: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiAccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
      MethodSettings: [
        {
          DataTraceEnabled: false,
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        },
      ],
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('validates request bodies and parameters', () => {
    // WHEN
    const api = new LoggedRestApi(stack, 'Api', PROPS);
    withMethod(api, '/ask');

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
  });

  it('gives each route in routeThrottles a throttle of its own, the stage throttle to the rest', () => {
    // WHEN
    const api = new LoggedRestApi(stack, 'Api', {
      ...PROPS,
      routeThrottles: {
        '/slack/events/POST': { rateLimit: 40, burstLimit: 80 },
        '/webhook/{trackingId}/GET': { rateLimit: 0.5, burstLimit: 2 },
      },
    });
    withMethod(api, '/slack/events');
    withMethod(api, '/webhook/{trackingId}', 'GET');

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 50 }),
        {
          DataTraceEnabled: false,
          HttpMethod: 'POST',
          ResourcePath: '/~1slack~1events',
          ThrottlingRateLimit: 40,
          ThrottlingBurstLimit: 80,
        },
        {
          DataTraceEnabled: false,
          HttpMethod: 'GET',
          ResourcePath: '/~1webhook~1{trackingId}',
          ThrottlingRateLimit: 0.5,
          ThrottlingBurstLimit: 2,
        },
      ],
    });
  });

  it('fails the synth when routeThrottles names a method the API does not have', () => {
    // GIVEN
    const api = new LoggedRestApi(stack, 'Api', {
      ...PROPS,
      routeThrottles: { '/slack/event/POST': { rateLimit: 40, burstLimit: 80 } },
    });

    // WHEN
    withMethod(api, '/slack/events');

    // THEN
    expect(() => Template.fromStack(stack)).toThrow(
      'prop "routeThrottles" names /slack/event/POST, a method the API does not have',
    );
  });

  it.each([
    ['stageName', { stageName: 'test stage' }],
    ['throttle.rateLimit', { throttle: { rateLimit: 0, burstLimit: 10 } }],
    ['throttle.burstLimit', { throttle: { rateLimit: 10, burstLimit: 2.5 } }],
    ['routeThrottles', { routeThrottles: { '/slack/events': { rateLimit: 1, burstLimit: 1 } } }],
    [
      'routeThrottles["/slack/events/POST"].rateLimit',
      { routeThrottles: { '/slack/events/POST': { rateLimit: -1, burstLimit: 1 } } },
    ],
    [
      'routeThrottles["/slack/events/POST"].burstLimit',
      { routeThrottles: { '/slack/events/POST': { rateLimit: 1, burstLimit: 0 } } },
    ],
  ] as [string, Partial<LoggedRestApiProps>][])('refuses a wrong %s, naming it', (prop, wrong) => {
    // WHEN / THEN
    expect(() => new LoggedRestApi(stack, 'Api', { ...PROPS, ...wrong })).toThrow(
      `Default/Api: prop "${prop}"`,
    );
  });
});
