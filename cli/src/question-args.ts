/**
 * Arguments of the commands that ask RevBot a question (`ask`, `slack`, `webhook`): the words
 * after the options are the question, and a command without one is a usage error.
 */

import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseQuestionArgs<const T extends Options>(args: string[], options: T) {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options });
  const question = positionals.join(' ').trim();
  if (!question) throw new UsageError('give the question to ask, in quotes');
  return { values, question };
}
