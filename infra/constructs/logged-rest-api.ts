/**
 * A regional REST API with JSON access logs, throttling and a request validator: the common base
 * of the Slack and webhook gateways.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface LoggedRestApiProps {
  restApiName: string;
  description: string;
  stageName: string;
  throttle: { rateLimit: number; burstLimit: number };
}

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
