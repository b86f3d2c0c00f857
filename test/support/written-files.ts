/**
 * Files a flow under test writes (a report through a json and a file node, statuses one JSON line
 * each): read only once they are whole, so a test waits for the write to finish instead of
 * sleeping after the file appears.
 */
import fs from 'node:fs';
import { waitForAsync } from './wait';

/** The JSON in `file` when it is there whole; undefined while it is missing, empty or half written. */
export function jsonFileNow(file: string): any {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The JSON lines of `file` when each is whole; undefined while it is missing or a line is half written. */
export function jsonLinesNow(file: string): any[] | undefined {
  try {
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l));
  } catch {
    return undefined;
  }
}

/**
 * Waits until `file` holds whole JSON and returns it; on timeout the error says what was waited
 * for and `explain()` (for example the end of the Node-RED log).
 */
export async function jsonFileWhenWritten(file: string, timeoutMs: number, what: string, explain: () => string = () => ''): Promise<any> {
  let value: any;
  await waitForAsync(async () => (value = jsonFileNow(file)) !== undefined, timeoutMs, what, 100).catch((err: Error) => {
    throw new Error(`${err.message}\n${explain()}`);
  });
  return value;
}
