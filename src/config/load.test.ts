import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, MIN_KDF } from './load.ts';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({}, []);
    assert.equal(c.port, 8080);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.dataDir, path.resolve('./data'));
    assert.equal(c.databaseUrl, undefined);
    assert.deepEqual(c.kdf, MIN_KDF);
    assert.equal(c.maxFileBytes, 25 * 1024 * 1024);
    assert.equal(c.maxReportBytes, 100 * 1024 * 1024);
    assert.ok(Object.isFrozen(c));
  });

  it('has the documented login limits, each scope configurable, and refuses a limit of 0', () => {
    assert.deepEqual(loadConfig({}, []).loginLimits, {
      receipt: { perMinute: 600, burst: 20 },
      tracking: { perMinute: 300, burst: 10 },
      staff: { perMinute: 120, burst: 10 },
      staffAccount: { perMinute: 1, burst: 5 },
    });
    assert.deepEqual(
      loadConfig({ SUJARIT_LIMIT_STAFF_ACCOUNT_PER_MIN: '2', SUJARIT_LIMIT_STAFF_ACCOUNT_BURST: '3' }, []).loginLimits
        .staffAccount,
      { perMinute: 2, burst: 3 },
    );
    assert.throws(
      () => loadConfig({ SUJARIT_LIMIT_RECEIPT_BURST: '0', SUJARIT_LIMIT_TRACKING_PER_MIN: 'x' }, []),
      /SUJARIT_LIMIT_RECEIPT_BURST[\s\S]*SUJARIT_LIMIT_TRACKING_PER_MIN/,
    );
  });

  it('takes flags over the environment', () => {
    const c = loadConfig({ PORT: '9000', HOST: '0.0.0.0' }, ['--port', '9100', '--data', '/tmp/x']);
    assert.equal(c.port, 9100);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.dataDir, '/tmp/x');
  });

  it('lists every violation at once', () => {
    assert.throws(
      () =>
        loadConfig(
          {
            PORT: 'eighty',
            SUJARIT_KDF_MEMORY_KIB: '1024',
            DATABASE_URL: 'mysql://x',
            SUJARIT_MAX_FILE_MB: '50',
            SUJARIT_MAX_REPORT_MB: '10',
          },
          [],
        ),
      (e: Error) =>
        ['PORT', 'SUJARIT_KDF_MEMORY_KIB', 'DATABASE_URL', 'SUJARIT_MAX_REPORT_MB'].every((k) => e.message.includes(k)),
    );
  });

  it('refuses a key-derivation cost below m=19 MiB, t=2 unless weak costs are allowed (tests only)', () => {
    assert.throws(() => loadConfig({ SUJARIT_KDF_ITERATIONS: '1' }, []), /SUJARIT_KDF_ITERATIONS/);
    assert.equal(
      loadConfig({ SUJARIT_ALLOW_WEAK_KDF: '1', SUJARIT_KDF_MEMORY_KIB: '64', SUJARIT_KDF_ITERATIONS: '1' }, []).kdf
        .memoryKiB,
      64,
    );
  });

  describe('LINE channel', () => {
    const SECRET = '0123456789abcdef0123456789ABCDEF';
    const TOKEN = 'long-lived-channel-access-token';

    it('is off without LINE variables', () => {
      assert.equal(loadConfig({}, []).line, null);
      assert.equal(loadConfig({ LINE_CHANNEL_SECRET: '', LINE_CHANNEL_ACCESS_TOKEN: '' }, []).line, null);
      // A base URL alone turns nothing on.
      assert.equal(loadConfig({ LINE_API_BASE: 'http://127.0.0.1:9999' }, []).line, null);
    });

    it('takes the secret and the token together, frozen', () => {
      const c = loadConfig({ LINE_CHANNEL_SECRET: SECRET, LINE_CHANNEL_ACCESS_TOKEN: TOKEN }, []);
      assert.deepEqual(c.line, { channelSecret: SECRET, accessToken: TOKEN, apiBase: undefined, lessonHour: null });
      assert.ok(Object.isFrozen(c.line));
    });

    it('takes the hour of the daily lesson push (Thailand time), off when unset; refuses a wrong hour', () => {
      const at = (v: string) =>
        loadConfig({ LINE_CHANNEL_SECRET: SECRET, LINE_CHANNEL_ACCESS_TOKEN: TOKEN, SUJARIT_LINE_LESSON_HOUR: v }, []);
      assert.equal(at('').line?.lessonHour, null);
      assert.equal(at('0').line?.lessonHour, 0);
      assert.equal(at('8').line?.lessonHour, 8);
      for (const bad of ['24', '-1', '8.5', 'eight'])
        assert.throws(() => at(bad), /SUJARIT_LINE_LESSON_HOUR must be an integer from 0 to 23/);
    });

    it('refuses one without the other', () => {
      assert.throws(
        () => loadConfig({ LINE_CHANNEL_SECRET: SECRET }, []),
        /LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN must be set together/,
      );
      assert.throws(
        () => loadConfig({ LINE_CHANNEL_ACCESS_TOKEN: TOKEN }, []),
        /LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN must be set together/,
      );
    });

    it('refuses a secret that is not 32 hexadecimal digits, without echoing it', () => {
      // The secrets of LINE's SDK test vectors (test_channel_secret, SECRET, channel_secret) are of this kind.
      for (const bad of [
        SECRET.slice(1),
        `${SECRET}0`,
        `${SECRET.slice(1)}g`,
        'test_channel_secret',
        ` ${SECRET.slice(1)}`,
        `${SECRET.slice(0, 16)}-${SECRET.slice(17)}`,
      ]) {
        assert.throws(
          () => loadConfig({ LINE_CHANNEL_SECRET: bad, LINE_CHANNEL_ACCESS_TOKEN: TOKEN }, []),
          (e: Error) =>
            e.message.includes('LINE_CHANNEL_SECRET must be the 32 hexadecimal digits') &&
            !e.message.includes(bad) &&
            !e.message.includes(TOKEN),
          bad,
        );
      }
    });

    it('takes LINE_API_BASE as an http(s) origin without its trailing slashes', () => {
      const base = (v: string) =>
        loadConfig({ LINE_CHANNEL_SECRET: SECRET, LINE_CHANNEL_ACCESS_TOKEN: TOKEN, LINE_API_BASE: v }, []).line
          ?.apiBase;
      assert.equal(base('http://127.0.0.1:43210/'), 'http://127.0.0.1:43210');
      assert.equal(base('https://api.line.me//'), 'https://api.line.me');
      assert.equal(base(''), undefined);
      // The SDK resolves its paths against the origin, so a path would be silently dropped: refused.
      for (const bad of [
        'ftp://api.line.me',
        'api.line.me',
        'http://',
        'http://exa mple.com',
        'javascript:alert(1)',
        'http://proxy.example/line',
      ]) {
        assert.throws(() => base(bad), /LINE_API_BASE must be an http\(s\) origin/, bad);
      }
    });

    it('lists LINE problems with the others', () => {
      assert.throws(
        () => loadConfig({ PORT: 'eighty', LINE_CHANNEL_SECRET: 'short', LINE_API_BASE: 'ftp://x' }, []),
        (e: Error) =>
          ['PORT', 'must be set together', 'LINE_CHANNEL_SECRET must be', 'LINE_API_BASE'].every((k) =>
            e.message.includes(k),
          ),
      );
    });
  });

  it('takes the filing cost, and refuses a maximum wait below the first', () => {
    assert.deepEqual(loadConfig({}, []).filing, { threshold: 120, waitSeconds: 60, maxWaitSeconds: 900, powBits: 20 });
    assert.deepEqual(loadConfig({ SUJARIT_FILING_THRESHOLD: '0', SUJARIT_FILING_POW_BITS: '24' }, []).filing, {
      threshold: 0,
      waitSeconds: 60,
      maxWaitSeconds: 900,
      powBits: 24,
    });
    assert.throws(
      () =>
        loadConfig(
          { SUJARIT_FILING_WAIT_S: '120', SUJARIT_FILING_MAX_WAIT_S: '60', SUJARIT_FILING_POW_BITS: '40' },
          [],
        ),
      (e: Error) =>
        ['SUJARIT_FILING_MAX_WAIT_S must be at least', 'SUJARIT_FILING_POW_BITS'].every((k) => e.message.includes(k)),
    );
  });

  describe('operator (the privacy notice’s data controller)', () => {
    const OP = {
      SUJARIT_OPERATOR_NAME_TH: ' สำนักงาน ก.พ.ร. ',
      SUJARIT_OPERATOR_NAME_EN: 'OPDC',
      SUJARIT_OPERATOR_CONTACT: 'privacy@opdc.example\r\n59/1 Phitsanulok Road',
    };

    it('is unset by default', () => {
      assert.equal(loadConfig({}, []).operator, null);
    });

    it('takes the three together, trimmed, frozen, the contact on up to four lines', () => {
      const op = loadConfig(OP, []).operator;
      assert.deepEqual(op, {
        nameTh: 'สำนักงาน ก.พ.ร.',
        nameEn: 'OPDC',
        contact: 'privacy@opdc.example\n59/1 Phitsanulok Road',
      });
      assert.ok(Object.isFrozen(op));
    });

    it('refuses one without the others, a name on two lines, hidden characters and an over-long contact, all at once', () => {
      assert.throws(() => loadConfig({ SUJARIT_OPERATOR_NAME_TH: 'x' }, []), /must be set together/);
      assert.throws(
        () =>
          loadConfig(
            {
              ...OP,
              SUJARIT_OPERATOR_NAME_EN: 'OP\nDC',
              SUJARIT_OPERATOR_NAME_TH: 'ก\u202Eข',
              SUJARIT_OPERATOR_CONTACT: 'x'.repeat(501),
            },
            [],
          ),
        (e: Error) =>
          [
            'SUJARIT_OPERATOR_NAME_EN must be plain text on one line',
            'SUJARIT_OPERATOR_NAME_TH must be plain text',
            'SUJARIT_OPERATOR_CONTACT must be at most 500',
          ].every((k) => e.message.includes(k)),
      );
    });
  });

  it('reads SUJARIT_WORKERS and the metrics listener, and refuses what does not fit', () => {
    const base = { SUJARIT_DATA: '/tmp/x' };
    assert.equal(loadConfig(base, []).workers, 1);
    assert.equal(loadConfig(base, []).metrics, null);
    const c = loadConfig({ ...base, SUJARIT_WORKERS: '3', SUJARIT_METRICS_PORT: '9464' }, []);
    assert.equal(c.workers, 3);
    assert.deepEqual(c.metrics, { port: 9464, host: '127.0.0.1' });
    assert.deepEqual(
      loadConfig({ ...base, SUJARIT_METRICS_PORT: '9464', SUJARIT_METRICS_HOST: '10.0.0.5' }, []).metrics,
      {
        port: 9464,
        host: '10.0.0.5',
      },
    );
    for (const bad of [
      { SUJARIT_WORKERS: '0' },
      { SUJARIT_WORKERS: '65' },
      { SUJARIT_WORKERS: 'two' },
      { SUJARIT_METRICS_PORT: '70000' },
      { SUJARIT_METRICS_PORT: '8080', PORT: '8080' },
    ])
      assert.throws(() => loadConfig({ ...base, ...bad }, []), /SUJARIT_(WORKERS|METRICS_PORT)/, JSON.stringify(bad));
  });
});

describe('the public address, HTTPS and the onion address', () => {
  const ONION = 'http://2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion';

  it('marks the default public URL of a loopback or wildcard host as guessed, and an explicit one not', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '0.0.0.0', '::'])
      assert.equal(loadConfig({ HOST: host }, []).isPublicUrlGuessed, true, host);
    assert.equal(loadConfig({ HOST: '192.0.2.10' }, []).isPublicUrlGuessed, false);
    const c = loadConfig({ SUJARIT_PUBLIC_URL: 'http://127.0.0.1:8080' }, []);
    assert.equal(c.isPublicUrlGuessed, false, 'an explicit loopback address is a choice');
    assert.equal(loadConfig({ SUJARIT_PUBLIC_URL: '' }, []).isPublicUrlGuessed, true, 'empty is unset');
  });

  it('implies Secure cookies behind an https public URL, and keeps SUJARIT_SECURE_COOKIES=1 for others', () => {
    assert.equal(loadConfig({}, []).isSecureCookies, false);
    assert.equal(loadConfig({ SUJARIT_PUBLIC_URL: 'https://report.example.go.th' }, []).isSecureCookies, true);
    assert.equal(
      loadConfig({ SUJARIT_PUBLIC_URL: 'https://report.example.go.th', SUJARIT_SECURE_COOKIES: '0' }, [])
        .isSecureCookies,
      true,
      'HTTPS cannot be served with cookies a downgraded connection would send',
    );
    assert.equal(loadConfig({ SUJARIT_SECURE_COOKIES: '1' }, []).isSecureCookies, true);
  });

  it('refuses a public URL that is not an http(s) URL', () => {
    for (const bad of ['report.example.go.th', 'ftp://x.example', 'https://', 'https://a b', 'https://a+b.example'])
      assert.throws(() => loadConfig({ SUJARIT_PUBLIC_URL: bad }, []), /SUJARIT_PUBLIC_URL/, bad);
  });

  it('takes a Tor v3 onion address, a trailing slash removed', () => {
    assert.equal(loadConfig({}, []).onionUrl, null);
    assert.equal(loadConfig({ SUJARIT_ONION_URL: `${ONION}/` }, []).onionUrl, ONION);
  });

  it('refuses anything else as the onion address: https, v2, a wrong checksum, a path, upper case, another name', () => {
    const bad = [
      ONION.replace('http:', 'https:'),
      'http://expyuzz4wqqyqhjn.onion', // v2, retired by Tor
      ONION.replace('wid.onion', 'wie.onion'), // checksum
      ONION.replace(/d\.onion$/, 'a.onion'), // version byte
      `${ONION}/staff`,
      ONION.toUpperCase(),
      'http://example.org',
      `${ONION}:8080`,
      `${ONION}\n`,
      `http://${'a'.repeat(56)}.onion`,
    ];
    for (const url of bad)
      assert.throws(() => loadConfig({ SUJARIT_ONION_URL: url }, []), /SUJARIT_ONION_URL/, JSON.stringify(url));
  });
});
