/**
 * A regional REST API with JSON access logs, throttling and a request validator: the common base
 * of the Slack and webhook gateways.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { checkInteger, checkPattern, checkPositive } from '../lib/prop-validation';

/** A token bucket: requests per second, and how many may arrive at once. */
export interface ThrottleLimits {
  /** Steady requests per second, above 0. */
  readonly rateLimit: number;
  /** Requests admitted at once, a whole number of at least 1. */
  readonly burstLimit: number;
}

export interface LoggedRestApiProps {
  readonly restApiName: string;
  readonly description: string;
  /** Name of the one deployed stage: letters, digits, dashes and underscores. */
  readonly stageName: string;
  /** The stage's throttle: the limit of each method that `routeThrottles` does not name. */
  readonly throttle: ThrottleLimits;
  /**
   * A throttle of its own for some methods, keyed `/<resource path>/<HTTP method>`
   * (e.g. `/slack/events/POST`), so one noisy route cannot starve the others.
   * @default - every method has the stage's `throttle`
   */
  readonly routeThrottles?: Readonly<Record<string, ThrottleLimits>>;
}

/** `/slack/events/POST`, `/webhook/{trackingId}/GET`: a path of one or more parts, then a method. */
const ROUTE_PATTERN = /^(\/[A-Za-z0-9._{}+-]+)+\/(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY)$/;

/**
 * Methods authenticate in code (Slack request signatures) or with API keys (machine callers),
 * not with IAM or Cognito: the callers are Slack and other systems, never signed-in users.
 */
export function acknowledgeMachineToMachineAuth(method: Construct, how: string): void {
  for (const id of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
    Validations.of(method).acknowledge({ id, reason: how });
  }
}

export class LoggedRestApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly validator: apigateway.RequestValidator;

  constructor(scope: Construct, id: string, props: LoggedRestApiProps) {
    super(scope, id);
    checkPattern(
      this,
      'stageName',
      props.stageName,
      /^[a-zA-Z0-9_-]{1,128}$/,
      'must be letters, digits, dashes and underscores',
    );
    const routes = Object.entries(props.routeThrottles ?? {});
    for (const [route, limits] of [['', props.throttle] as const, ...routes]) {
      const prop = route ? `routeThrottles["${route}"]` : 'throttle';
      if (route) {
        checkPattern(this, 'routeThrottles', route, ROUTE_PATTERN, 'keys must be /<path>/<METHOD>');
      }
      checkPositive(this, `${prop}.rateLimit`, limits.rateLimit, 10_000);
      checkInteger(this, `${prop}.burstLimit`, limits.burstLimit, 1, 5_000);
    }
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: props.restApiName,
      description: props.description,
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole: false,
      deployOptions: {
        stageName: props.stageName,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
        methodOptions:
          routes.length === 0
            ? undefined
            : Object.fromEntries(
                routes.map(([route, limits]) => [
                  route,
                  {
                    throttlingRateLimit: limits.rateLimit,
                    throttlingBurstLimit: limits.burstLimit,
                  },
                ]),
              ),
      },
    });
    // Methods are added after construction: whether each throttled route exists is known at synth.
    this.node.addValidation({
      validate: () => {
        const methods = new Set(this.api.methods.map((m) => `${m.resource.path}/${m.httpMethod}`));
        return routes
          .filter(([route]) => !methods.has(route))
          .map(([route]) => `prop "routeThrottles" names ${route}, a method the API does not have`);
      },
    });
    this.validator = this.api.addRequestValidator('Validator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'A WAF web ACL is an account-level cost and policy choice; stage and usage-plan throttling plus request authentication in every method protect the API without one.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG6',
      reason:
        "Execution logging needs the account-wide API Gateway CloudWatch role, which RevBot does not own; JSON access logs and the Lambdas' structured logs record every request.",
    });
  }
}
