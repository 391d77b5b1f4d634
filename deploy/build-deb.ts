// `npm run package`: builds dist/sujarit_<version>_amd64.deb with dpkg-deb, offline. The package
// holds the Node 24 runtime (the binary of the `node` dev dependency), the app's src/ (tests left
// out) and its production dependencies only (from package-lock.json: every installed package not
// marked dev), the service, its configuration and the maintainer scripts in deploy/.
// SUJARIT_PACKAGE_VERSION overrides package.json's version (the package test builds N and N+1).
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const DEPLOY = path.join(ROOT, 'deploy');

type Lock = { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };

/** The installed top-level packages that production needs (`node_modules/a`, `node_modules/@s/a`). */
export function productionPackages(lock: Lock): string[] {
  return Object.entries(lock.packages)
    .filter(([key, p]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(key) && !p.dev && !p.devOptional)
    .map(([key]) => key)
    .filter((key) => existsSync(path.join(ROOT, key)));
}

function copy(from: string, to: string, filter?: (src: string) => boolean): void {
  cpSync(from, to, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true, filter });
}

/** Native addons' prebuilt binaries for other systems (sodium-native's alone are 17 MB) stay out. */
export function forThisMachine(src: string): boolean {
  const m = /[/\\]prebuilds[/\\]([^/\\]+)$/.exec(src);
  return !m || m[1].startsWith('linux-x64');
}

/** The version a build gets: SUJARIT_PACKAGE_VERSION, else package.json's. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  return process.env.SUJARIT_PACKAGE_VERSION || pkg.version;
}

export function buildDeb({
  outDir = path.join(ROOT, 'dist'),
  version = packageVersion(),
}: { outDir?: string; version?: string } = {}): { file: string; version: string } {
  if (!/^[0-9][A-Za-z0-9.+~-]*$/.test(version)) throw new Error(`not a Debian version: ${version}`);
  const stage = mkdtempSync(path.join(tmpdir(), 'sujarit-deb-'));
  try {
    const root = path.join(stage, 'root');
    const lib = path.join(root, 'usr/lib/sujarit');
    const app = path.join(lib, 'app');
    mkdirSync(app, { recursive: true });
    copy(path.join(ROOT, 'src'), path.join(app, 'src'), (src) => !src.endsWith('.test.ts'));
    for (const f of ['package.json', 'package-lock.json', 'LICENSE']) {
      if (existsSync(path.join(ROOT, f))) copy(path.join(ROOT, f), path.join(app, f));
    }
    const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as Lock;
    for (const key of productionPackages(lock)) copy(path.join(ROOT, key), path.join(app, key), forThisMachine);
    // The runtime, without its debugging symbols (126 MB → about 100 MB); as is when strip is missing.
    copy(path.join(ROOT, 'node_modules/node/bin/node'), path.join(lib, 'node'));
    try {
      execFileSync('strip', ['--strip-debug', path.join(lib, 'node')]);
    } catch {}
    chmodSync(path.join(lib, 'node'), 0o755);

    const put = (from: string, to: string, mode: number) => {
      mkdirSync(path.dirname(path.join(root, to)), { recursive: true });
      copy(path.join(DEPLOY, from), path.join(root, to));
      chmodSync(path.join(root, to), mode);
    };
    put('sujarit', 'usr/bin/sujarit', 0o755);
    put('sujarit.service', 'lib/systemd/system/sujarit.service', 0o644);
    put('sujarit.env', 'etc/sujarit/sujarit.env', 0o640);
    put('Caddyfile', 'usr/share/doc/sujarit/examples/Caddyfile', 0o644);
    put('torrc', 'usr/share/doc/sujarit/examples/torrc', 0o644);
    for (const doc of ['install.md', 'configuration.md'])
      copy(path.join(ROOT, 'docs', doc), path.join(root, 'usr/share/doc/sujarit', doc));

    const debian = path.join(root, 'DEBIAN');
    mkdirSync(debian);
    for (const script of ['postinst', 'prerm', 'postrm']) put(`debian/${script}`, `DEBIAN/${script}`, 0o755);
    writeFileSync(path.join(debian, 'conffiles'), '/etc/sujarit/sujarit.env\n');
    const installedKiB = Number(execFileSync('du', ['-sk', '--exclude=DEBIAN', root], { encoding: 'utf8' }).split('\t')[0]);
    writeFileSync(
      path.join(debian, 'control'),
      [
        'Package: sujarit',
        `Version: ${version}`,
        'Architecture: amd64',
        'Maintainer: Sujarit <sujarit@localhost>',
        `Installed-Size: ${installedKiB}`,
        'Depends: libc6 (>= 2.28), libstdc++6, passwd, util-linux',
        'Suggests: caddy, tor, postgresql',
        'Section: web',
        'Priority: optional',
        'Homepage: https://github.com/sujarit/sujarit',
        'Description: safe corruption reporting and case handling for Thai public agencies',
        ' Sujarit (สุจริต) receives corruption tips and citizen complaints, keeps reporters',
        ' anonymous, lets agency staff handle cases on a need-to-know basis, proves integrity',
        ' with a public transparency log, and runs the ITA assessment. Includes its own Node.js',
        ' runtime and embedded PostgreSQL.',
        '',
      ].join('\n'),
    );
    mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `sujarit_${version}_amd64.deb`);
    // zstd: about as small as xz and several times faster to build (dpkg ≥ 1.21.18, Debian 12).
    execFileSync('dpkg-deb', ['--root-owner-group', '-Zzstd', '-z6', '--build', root, file], { stdio: 'pipe' });
    return { file, version };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const started = Date.now();
  const { file } = buildDeb();
  const mb = (statSync(file).size / 1e6).toFixed(1);
  console.log(`built ${path.relative(ROOT, file)} (${mb} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
