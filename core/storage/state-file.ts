/**
 * Where the tradebot database lives, in this order:
 *   1. `tradebotStateFile` in Node-RED's settings.js,
 *   2. the environment variable TRADEBOT_STATE_FILE,
 *   3. `tradebot.sqlite` in the Node-RED user directory,
 *   4. none of these (Node-RED without a user dir, as in node-red-node-test-helper): undefined,
 *      a temporary file that lives while the flow runs (TradebotDb.open).
 * A relative path starts at the user directory (else the working directory).
 */
import path from 'node:path';

export const STATE_FILE_NAME = 'tradebot.sqlite';

export function resolveStateFile(o: { setting?: unknown; env?: string; userDir?: string }): string | undefined {
  if (o.setting !== undefined && o.setting !== null && o.setting !== '') {
    if (typeof o.setting !== 'string') throw new Error(`settings.js tradebotStateFile: must be a file path (text), got ${typeof o.setting}`);
    return path.resolve(o.userDir ?? process.cwd(), o.setting);
  }
  if (o.env) return path.resolve(o.userDir ?? process.cwd(), o.env);
  if (o.userDir) return path.join(o.userDir, STATE_FILE_NAME);
  return undefined;
}
