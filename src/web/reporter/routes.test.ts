import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createTestApp,
  loginCode,
  PASSWORD,
  seedAgency,
  seedRecipient,
  type TestApp,
} from '../../../test/support/app.ts';
import { jpegWithGps } from '../../../test/support/images.ts';
import { csrfOf, get, newJar, postForm, postMultipart, receiptOf } from '../../../test/support/web.ts';

describe('reporter pages', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    await seedAgency(t.db, 'OPDC');
    await seedRecipient(t.db, 'OPDC', 'officer@opdc.example');
  });
  after(() => t.close());

  it('files a report with a photo, shows the receipt once, and follows up with it', async () => {
    const jar = newJar();
    const form = await get(t.app, jar, '/report');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /OPDC/);
    const res = await postMultipart(
      t.app,
      jar,
      '/report',
      {
        _csrf: csrfOf(form.body),
        agency: 'OPDC',
        category: 'bribery',
        what: 'เจ้าหน้าที่เรียกเงินสองพันบาท',
        when: 'เมื่อวาน',
        where: 'สำนักงานเขต',
        who: 'หัวหน้าฝ่าย',
      },
      [{ name: 'photo.jpg', type: 'image/jpeg', data: await jpegWithGps() }],
    );
    assert.equal(res.statusCode, 200, res.body);
    const receipt = receiptOf(res.body);
    assert.match(receipt, /^\d{16}$/);
    assert.match(res.body, /พิกัดตำแหน่ง GPS/);
    assert.equal(res.headers['cache-control'], 'no-store');

    const login = await get(t.app, jar, '/followup');
    const opened = await postForm(t.app, jar, '/followup', { _csrf: csrfOf(login.body), receipt });
    assert.equal(opened.statusCode, 303);
    const view = await get(t.app, jar, '/followup/case');
    assert.equal(view.statusCode, 200);
    assert.match(view.body, /เจ้าหน้าที่เรียกเงินสองพันบาท/);
    assert.match(view.body, /photo\.jpg/);
  });

  it('staff sees and answers', async () => {
    const jar = newJar();
    const page = await get(t.app, jar, '/staff/login');
    const res = await postForm(t.app, jar, '/staff/login', {
      _csrf: csrfOf(page.body),
      email: 'officer@opdc.example',
      password: PASSWORD,
      code: loginCode('officer@opdc.example'),
    });
    assert.equal(res.statusCode, 303, res.body);
    const list = await get(t.app, jar, '/staff/cases');
    assert.equal(list.statusCode, 200);
    const ref = /href="\/staff\/cases\/([^"]+)"/.exec(list.body)![1];
    const c = await get(t.app, jar, `/staff/cases/${ref}`);
    assert.match(c.body, /เจ้าหน้าที่เรียกเงินสองพันบาท/);
  });
});
