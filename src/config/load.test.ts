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

  it('takes flags over the environment', () => {
    const c = loadConfig({ PORT: '9000', HOST: '0.0.0.0' }, ['--port', '9100', '--data', '/tmp/x']);
    assert.equal(c.port, 9100);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.dataDir, '/tmp/x');
  });

  it('lists every violation at once', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty', SUJARIT_KDF_MEMORY_KIB: '1024', DATABASE_URL: 'mysql://x', SUJARIT_MAX_FILE_MB: '50', SUJARIT_MAX_REPORT_MB: '10' }, []),
      (e: Error) => ['PORT', 'SUJARIT_KDF_MEMORY_KIB', 'DATABASE_URL', 'SUJARIT_MAX_REPORT_MB'].every((k) => e.message.includes(k)),
    );
  });

  it('refuses a key-derivation cost below m=19 MiB, t=2 unless weak costs are allowed (tests only)', () => {
    assert.throws(() => loadConfig({ SUJARIT_KDF_ITERATIONS: '1' }, []), /SUJARIT_KDF_ITERATIONS/);
    assert.equal(loadConfig({ SUJARIT_ALLOW_WEAK_KDF: '1', SUJARIT_KDF_MEMORY_KIB: '64', SUJARIT_KDF_ITERATIONS: '1' }, []).kdf.memoryKiB, 64);
  });
});
