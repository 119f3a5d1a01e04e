// After the whole run: the server's log (written to the data folder by the web server command in
// playwright.config.ts) holds no mailbox, name or phone number the specs typed in.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAILBOX, NAMES, PHONE } from './tests/personal';

export default function checkServerLog() {
  const path = join(process.env.VOUCH_DATA_DIR ?? '', 'server.log');
  if (!existsSync(path)) throw new Error(`the server's log is missing: ${path}`);
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines.filter((l) => l.trim()).length < 5) throw new Error(`the server logged almost nothing:\n${lines.join('\n')}`);
  const digits = PHONE.replace(/\D/g, '').slice(2);
  const found: string[] = [];
  for (const line of lines) {
    const hit = MAILBOX.exec(line)?.[0] ?? NAMES.find((n) => line.includes(n)) ?? (line.replace(/\D/g, '').includes(digits) ? PHONE : undefined);
    if (hit) found.push(`${hit}: ${line.slice(0, 300)}`);
  }
  if (found.length) throw new Error(`personal data in ${found.length} server log lines:\n${found.slice(0, 10).join('\n')}`);
}
