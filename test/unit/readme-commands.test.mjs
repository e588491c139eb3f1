// README commands work as written in a checkout (issue 19, item 8): every CLI command in a shell
// block goes through `npx poolscope` (bare `poolscope` is not on PATH in a checkout), names example
// files that exist and functions they export, and the README's Node version is package.json's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

function shellLines() {
  const lines = [];
  let lang;
  for (const line of readme.split('\n')) {
    if (line.startsWith('```')) { lang = lang === undefined ? line.slice(3).trim() : undefined; continue; }
    if (lang === 'sh' || lang === 'bash') lines.push(line.trim());
  }
  return lines;
}

test('every poolscope command in a README shell block starts with npx poolscope', () => {
  const commands = shellLines().filter((l) => /(^|\s)poolscope\s/.test(l) || l.startsWith('node dist/cli.js'));
  assert.ok(commands.length >= 8, `found ${commands.length}`);
  for (const c of commands) assert.match(c, /^npx poolscope (run|compare|demo|view|worker)\b/, c);
});

test('the example files and functions those commands name exist', () => {
  for (const c of shellLines().filter((l) => l.startsWith('npx poolscope '))) {
    const file = /(?:run|compare|worker) (examples\/\S+)/.exec(c)?.[1];
    if (!file) continue;
    assert.ok(existsSync(join(ROOT, file)), `${file} (in: ${c})`);
    const fn = /--fn (\w+)/.exec(c)?.[1];
    if (!fn) continue;
    const source = readFileSync(join(ROOT, file), 'utf8');
    const declared = file.endsWith('.py') ? new RegExp(`^def ${fn}\\(`, 'm') : new RegExp(`^export (async )?function ${fn}\\b`, 'm');
    assert.match(source, declared, `${fn} in ${file}`);
  }
});

test('the README states the Node version package.json requires', () => {
  const engines = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.node;
  const version = /^>=\s*([\d.]+)$/.exec(engines)?.[1];
  assert.ok(version, engines);
  assert.match(readme, new RegExp(`Node ≥ ${version.replace('.', '\\.')}\\b`));
});
