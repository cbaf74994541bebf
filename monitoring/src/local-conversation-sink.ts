/** Writes records to a local folder in the same layout as the S3 bucket (the local stack, `revbot export`). */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConversationSink } from './conversation-sink';
import { ConversationExportError } from './errors';

export function localConversationSink(dir: string): ConversationSink {
  const root = path.resolve(dir);
  const resolve = (key: string): string => {
    const target = path.resolve(root, key);
    if (target !== root && !target.startsWith(`${root}${path.sep}`)) {
      throw new ConversationExportError(`Refusing to write outside ${root}: ${key}`, false);
    }
    return target;
  };
  return {
    async put(key, body) {
      const target = resolve(key);
      try {
        await mkdir(path.dirname(target), { recursive: true });
        // Write then rename, so a reader never sees half a file.
        const temporary = `${target}.${process.pid}.tmp`;
        await writeFile(temporary, body, 'utf8');
        await rename(temporary, target);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new ConversationExportError(
          `Could not write ${target}: ${error instanceof Error ? error.message : String(error)}`,
          code === 'EMFILE' || code === 'EAGAIN' || code === 'EBUSY',
          { cause: error },
        );
      }
    },
    locate(key) {
      const target = resolve(key);
      return key.endsWith('/') ? `${target}${path.sep}` : target;
    },
  };
}
