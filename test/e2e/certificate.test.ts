// The filing certificate in a real browser with JavaScript off: the reporter downloads it from the
// receipt page, the CLI verifies it offline against the log's published key, and one altered byte
// makes verification fail.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { seedAgency, seedRecipient } from '../support/app.ts';
import { launchBrowser, openContext } from '../support/browser.ts';
import { serverFixture, startServerProcess, type ServerProcess } from '../support/server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function verifyWithCli(file: string, vkey: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['src/cli/main.ts', 'verify-certificate', file, '--vkey', vkey], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? -1, out }));
  });
}

describe('filing certificate in a browser', () => {
  let fixture: Awaited<ReturnType<typeof serverFixture>>;
  let server: ServerProcess;
  let browser: Browser;
  let dir: string;
  before(async () => {
    fixture = await serverFixture();
    await seedAgency(fixture.database.db, 'OPDC');
    await seedRecipient(fixture.database.db, 'OPDC', 'officer@opdc.example');
    server = await startServerProcess({ databaseUrl: fixture.database.url, dataDir: fixture.dataDir, env: { SUJARIT_LEDGER_BATCH_MS: '200' } });
    browser = await launchBrowser();
    dir = await mkdtemp(path.join(tmpdir(), 'sujarit-cert-'));
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await fixture?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('downloads from the receipt page, verifies with the CLI, and fails when one byte changes', async () => {
    const { context, page } = await openContext(browser, { acceptDownloads: true });
    try {
      await page.goto(`${server.url}/report`);
      await page.getByLabel('หน่วยงานที่เกี่ยวข้อง').selectOption('OPDC');
      await page.getByLabel('การเรียกรับสินบน').check();
      await page.getByLabel('เกิดอะไรขึ้น').fill('มีการเรียกเงินเพื่อออกใบอนุญาต');
      await Promise.all([page.waitForURL(`${server.url}/report`), page.getByRole('button', { name: 'ส่งเรื่อง' }).click()]);
      await page.getByRole('heading', { name: 'หนังสือรับรองการแจ้งเรื่อง' }).waitFor();
      // The entry is integrated and signed within a batch; until then the page says so and offers the button again.
      let file = '';
      for (let attempt = 0; attempt < 50 && !file; attempt++) {
        const button = page.getByRole('button', { name: 'ดาวน์โหลดหนังสือรับรอง' });
        const download = page.waitForEvent('download', { timeout: 2_000 }).catch(() => null);
        await button.click();
        const d = await download;
        if (d) {
          file = path.join(dir, d.suggestedFilename());
          await d.saveAs(file);
        } else {
          await page.getByText('ยังไม่พร้อม').waitFor();
        }
      }
      assert.ok(file, 'the certificate was downloaded');
      assert.match(path.basename(file), /^sujarit-certificate-OPDC-\d{4}-\d{6}\.json$/);

      const vkey = (await (await fetch(`${server.url}/log/vkey`)).text()).trim();
      const ok = await verifyWithCli(file, vkey);
      assert.equal(ok.code, 0, ok.out);
      assert.match(ok.out, /certificate OK/);

      const bytes = await readFile(file);
      const text = bytes.toString('utf8');
      // One byte in the middle of the signed checkpoint's root, and one in the entry.
      for (const needle of ['"entry": "', '"checkpoint": "']) {
        const at = text.indexOf(needle) + needle.length + 12;
        const bad = Buffer.from(bytes);
        bad[at] = bad[at] === 0x41 ? 0x42 : 0x41;
        const badFile = path.join(dir, 'altered.json');
        await writeFile(badFile, bad);
        const res = await verifyWithCli(badFile, vkey);
        assert.notEqual(res.code, 0, `altering ${needle} must fail:\n${res.out}`);
      }
    } finally {
      await context.close();
    }
  });
});
