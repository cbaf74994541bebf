/**
 * Construct props are checked in the constructor, so a wrong value stops the synth at the line
 * that passed it, with one message naming the construct and the prop — not at deploy time, in
 * a CloudFormation event. Unresolved tokens are let through: only CloudFormation knows them.
 */
import { Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { STAGE_PATTERN, STAGE_RULE } from './naming';

/** A construct was given a prop value it cannot deploy. */
export class InvalidPropError extends Error {
  override readonly name = 'InvalidPropError';

  constructor(
    /** Path of the construct in the tree, e.g. `SlackGateway/Processing`. */
    readonly constructPath: string,
    /** The prop, dotted for nested values, e.g. `throttle.rateLimit`. */
    readonly prop: string,
    rule: string,
    value: unknown,
  ) {
    super(`${constructPath}: prop "${prop}" ${rule} (got ${JSON.stringify(value)})`);
  }
}

/** Throws unless `value` is absent, a token, or an integer from `min` to `max`. */
export function checkInteger(
  scope: IConstruct,
  prop: string,
  value: number | undefined,
  min: number,
  max: number,
): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidPropError(
      scope.node.path,
      prop,
      `must be an integer from ${min} to ${max}`,
      value,
    );
  }
}

/** Throws unless `value` is absent, a token, or a number above 0 and at most `max`. */
export function checkPositive(
  scope: IConstruct,
  prop: string,
  value: number | undefined,
  max: number,
): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isFinite(value) || value <= 0 || value > max) {
    throw new InvalidPropError(scope.node.path, prop, `must be above 0 and at most ${max}`, value);
  }
}

/** Throws unless `value` is a token or matches `pattern`; `rule` says what the pattern allows. */
export function checkPattern(
  scope: IConstruct,
  prop: string,
  value: string,
  pattern: RegExp,
  rule: string,
): void {
  if (Token.isUnresolved(value)) return;
  if (!pattern.test(value)) throw new InvalidPropError(scope.node.path, prop, rule, value);
}

/** The `stage` prop every RevBot construct takes: the `revops-<stage>-…` part of its names. */
export function checkStage(scope: IConstruct, stage: string): void {
  checkPattern(scope, 'stage', stage, STAGE_PATTERN, `must be ${STAGE_RULE}`);
}
