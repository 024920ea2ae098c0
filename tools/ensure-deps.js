#!/usr/bin/env node
// Plain JavaScript on purpose: it runs before the dependencies exist.
// On a fresh clone `npm start` and `npm test` install them first (npm ci,
// from the committed lockfile), so the README's two commands are all it takes.
const { existsSync, statSync } = require('fs');
const { spawnSync } = require('child_process');
const { join } = require('path');

const root = join(__dirname, '..');
const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
const stale = !existsSync(marker) || statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000;
if (stale) {
  console.log(existsSync(marker) ? 'package-lock.json changed: installing dependencies (npm ci) ...' : 'first run: installing dependencies (npm ci) ...');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('npm ci failed: check that the npm registry is reachable, then run it again.');
    process.exit(r.status || 1);
  }
}
