// The filing certificate in a real browser on a phone with JavaScript off: the reporter downloads
// the PDF from the receipt page under a neutral name, the CLI verifies it offline against the log's
// published key (from the PDF, and from the JSON offered beside it), and one altered byte of the
// certificate makes verification fail.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { seedAgency, seedRecipient } from '../support/app.ts';
import { watchAxe } from '../support/axe.ts';
import { launchBrowser, openContext, PHONE } from '../support/browser.ts';
import { embeddedFiles } from '../../src/ledger/certificate-file.ts';
import { serverFixture, startServerProcess, type ServerProcess } from '../support/server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function verifyWithCli(file: string, vkey: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['src/cli/main.ts', 'verify-certificate', file, '--vkey', vkey], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
    server = await startServerProcess({
      databaseUrl: fixture.database.url,
      dataDir: fixture.dataDir,
      env: { SUJARIT_LEDGER_BATCH_MS: '200' },
    });
    browser = await launchBrowser();
    dir = await mkdtemp(path.join(tmpdir(), 'sujarit-cert-'));
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await fixture?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('downloads the PDF from the receipt page on a phone, verifies it with the CLI, and fails when one byte changes', async () => {
    const { context, page } = await openContext(browser, { ...PHONE, acceptDownloads: true });
    const checker = await openContext(browser, { javaScriptEnabled: true });
    const axe = watchAxe(checker.page, server.url, context);
    try {
      await page.goto(`${server.url}/report`);
      await page.getByLabel('หน่วยงานที่เกี่ยวข้อง').selectOption('OPDC');
      await page.getByLabel('การเรียกรับสินบน').check();
      await page.getByLabel('เกิดอะไรขึ้น').fill('มีการเรียกเงินเพื่อออกใบอนุญาต');
      await Promise.all([page.waitForURL(/\/receipt$/), page.getByRole('button', { name: 'ส่งเรื่อง' }).click()]);
      await page.getByRole('heading', { name: 'หนังสือรับรองการแจ้งเรื่อง' }).waitFor();
      const receiptPage = page.url();
      // The entry is integrated and signed within a batch; until then the page says so and offers the button again.
      const download = async (name: string, exact: boolean): Promise<string> => {
        for (let attempt = 0; attempt < 50; attempt++) {
          const button = page.getByRole('button', { name, exact });
          // Either the PDF comes (a download: the page stays) or the page comes again saying it is not
          // ready (a load): wait for whichever happens, however slow the machine.
          const d = page.waitForEvent('download', { timeout: 120_000 }).catch(() => null);
          const reloaded = page.waitForEvent('load', { timeout: 120_000 }).then(
            () => null,
            () => null,
          );
          await button.click();
          const got = await Promise.race([d, reloaded]);
          if (got) {
            const file = path.join(dir, got.suggestedFilename());
            await got.saveAs(file);
            return file;
          }
          await page.getByText('ยังไม่พร้อม').waitFor();
        }
        return '';
      };
      const pdf = await download('ดาวน์โหลดหนังสือรับรอง', true);
      assert.ok(pdf, 'the certificate was downloaded');
      assert.equal(path.basename(pdf), 'sujarit-certificate.pdf', 'a neutral name: no agency, no reference, no date');
      const bytes = await readFile(pdf);
      assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');

      const vkey = (await (await fetch(`${server.url}/log/vkey`)).text()).trim();
      const ok = await verifyWithCli(pdf, vkey);
      assert.equal(ok.code, 0, ok.out);
      assert.match(ok.out, /certificate OK/);
      assert.doesNotMatch(ok.out, /OPDC-/, 'no reference');

      // The JSON beside it, for tools, from the same receipt page.
      if (page.url() !== receiptPage) await page.goto(receiptPage);
      const json = await download('ดาวน์โหลดเป็นไฟล์ JSON (สำหรับโปรแกรมตรวจสอบ)', true);
      assert.equal(path.basename(json), 'sujarit-certificate.json');
      assert.equal((await verifyWithCli(json, vkey)).code, 0);
      const text = (await readFile(json, 'utf8')).trim();
      assert.deepEqual(
        JSON.parse(embeddedFiles(bytes)[0].toString('utf8')),
        JSON.parse(text),
        'the PDF carries the same certificate',
      );

      // One byte in the entry, and one in the signed checkpoint's root: the PDF carries it compressed,
      // so the altered certificate is written as JSON, the form a tampering tool would edit.
      const compact = embeddedFiles(bytes)[0];
      for (const needle of ['"entry":"', '"checkpoint":"']) {
        const at = compact.indexOf(needle) + needle.length + 12;
        const bad = Buffer.from(compact);
        bad[at] = bad[at] === 0x41 ? 0x42 : 0x41;
        const badFile = path.join(dir, 'altered.json');
        await writeFile(badFile, bad);
        const res = await verifyWithCli(badFile, vkey);
        assert.notEqual(res.code, 0, `altering ${needle} must fail:\n${res.out}`);
      }
      await axe.check(); // the form, the receipt page and the "not ready yet" page
      assert.ok(axe.checked >= 2, `axe looked at the pages: ${axe.checked}`);
    } finally {
      await checker.context.close();
      await context.close();
    }
  });
});
