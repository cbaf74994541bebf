/**
 * Errors of the command line, under `@revbot/core`'s RevbotError. Each message is one line that
 * says what to do; the dispatcher prints it and exits non-zero.
 */
import { RevbotError } from '@revbot/core';

/** A mistake in how the command was called: printed as one line with the usage hint. */
export class UsageError extends RevbotError {
  override name = 'UsageError';
  constructor(message: string) {
    super(message, { code: 'USAGE_ERROR' });
  }
}

/** A failure the operator can act on; its message is one line that says what to do. */
export class OpsError extends RevbotError {
  override name = 'OpsError';
  constructor(message: string, options?: { code?: string; cause?: unknown }) {
    super(message, { code: options?.code ?? 'OPERATION_FAILED', cause: options?.cause });
  }
}

/** The stack of a stage does not exist in the region (wrong stage, region or account). */
export class StackNotFoundError extends OpsError {
  override name = 'StackNotFoundError';
  constructor(
    readonly stackName: string,
    readonly region: string,
  ) {
    super(
      `stack ${stackName} not found in ${region}: deploy it (pnpm cdk deploy --all -c stage=<stage>) or pass the right --stage/--region`,
    );
  }
}
