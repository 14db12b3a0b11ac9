/**
 * The man page and the bash, zsh and fish completions (made at build time into dist/) offer exactly the option
 * table's options for each command, read back by man, bash, fish and zsh themselves.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { optionsOf, type CommandName } from '../../src/cli/option-table.js';
import { paneSeen, privateTmux } from '../support/tmux.js';
import { REPO_ROOT, tempDir } from '../support/uwsgi.js';

const DIST = join(REPO_ROOT, 'dist');
const COMMANDS: CommandName[] = ['monitor', 'serve', 'fifo', 'dance', 'replay'];

/** The table's flags of a command, read from the table's flags strings (plus commander's help and version). */
function expectedFlags(name: CommandName, { short = true } = {}): string[] {
  const flags = optionsOf(name).flatMap((r) => r.flags.split(/,? /).filter((w) => w.startsWith('-')));
  flags.push('-h', '--help', ...(name === 'monitor' ? ['-v', '--version'] : []));
  return [...new Set(flags.filter((f) => short || f.startsWith('--')))].sort();
}

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
}

describe('man uwsgitop-ts', () => {
  const page = sh('man', ['-l', join(DIST, 'man', 'uwsgitop-ts.1')], { MANPAGER: 'cat', MANWIDTH: '200', LC_ALL: 'C.UTF-8' });

  it('has one OPTIONS section per command listing exactly the table\'s options of that command', () => {
    for (const name of COMMANDS) {
      const title = `OPTIONS OF ${name === 'monitor' ? 'THE MONITOR' : name.toUpperCase()}`;
      const start = page.indexOf(`\n${title}\n`);
      expect(start, title).toBeGreaterThan(0);
      const body = page.slice(start + title.length + 2, page.slice(start + 2).search(/\n[A-Z]/) + start + 2);
      // Option lines are indented by 7 and start with a dash; the descriptions under them by more.
      // (.TP puts a short tag and its description on one line: take the flags at the line's start only.)
      const listed = body.split('\n').flatMap((l) => /^ {7}(--?[\w-]+(?:, --?[\w-]+)?)/.exec(l)?.[1]!.split(', ') ?? []);
      expect([...new Set(listed)].sort(), title).toEqual(expectedFlags(name));
    }
  });

  it('is clean roff: man reports no warnings', () => {
    const r = spawnSync('man', ['--warnings', '-l', join(DIST, 'man', 'uwsgitop-ts.1')], { encoding: 'utf8', env: { ...process.env, MANPAGER: 'cat', LC_ALL: 'C.UTF-8' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('uwsgitop-ts - live terminal monitor and controller for uWSGI');
    expect(r.stderr).toBe('');
  });
});

describe('completions', () => {
  const bash = (words: string[]): string[] => {
    const script = `source ${JSON.stringify(join(DIST, 'completions', 'uwsgitop-ts.bash'))}; COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=${words.length - 1}; _uwsgitop_ts; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return sh('bash', ['--norc', '--noprofile', '-c', script]).split('\n').filter((l) => l !== '').sort();
  };
  const fish = (line: string): string[] =>
    sh('fish', ['--no-config', '-c', `source ${join(DIST, 'completions', 'uwsgitop-ts.fish')}; complete -C ${JSON.stringify(line)}`])
      .split('\n').filter((l) => l !== '').map((l) => l.split('\t')[0]!).sort();

  it('bash offers exactly each command\'s options after a dash, and file names after --record', () => {
    for (const name of COMMANDS) {
      const words = name === 'monitor' ? ['uwsgitop-ts', '-'] : ['uwsgitop-ts', name, '-'];
      expect(bash(words), name).toEqual(expectedFlags(name));
    }
    const dir = tempDir('uwsgitop-compl-');
    writeFileSync(join(dir, 'app.uwrec'), '');
    expect(bash(['uwsgitop-ts', '--record', join(dir, 'app.')])).toEqual([join(dir, 'app.uwrec')]);
    expect(bash(['uwsgitop-ts', 'ser'])).toEqual(['serve']);
  });

  it('fish offers exactly each command\'s long options', () => {
    for (const name of COMMANDS) {
      const line = name === 'monitor' ? 'uwsgitop-ts --' : `uwsgitop-ts ${name} --`;
      expect(fish(line), name).toEqual(expectedFlags(name, { short: false }));
    }
    // (file names too: an address may be a socket path)
    expect(fish('uwsgitop-ts re')).toContain('replay');
    expect(fish('uwsgitop-ts re')).not.toContain('serve');
  });

  describe('zsh, in a terminal', () => {
    const tmux = privateTmux('uwsgitop-zsh');
    it('completes a serve option and lists the replay options on Tab', async () => {
      const home = tempDir('uwsgitop-zsh-');
      const fpath = join(home, 'functions');
      mkdirSync(fpath);
      execFileSync('cp', [join(DIST, 'completions', '_uwsgitop-ts'), fpath]);
      writeFileSync(join(home, '.zshrc'), `fpath=(${fpath} $fpath)\nautoload -Uz compinit && compinit -u -d ${home}/.zcompdump\nPS1='%% '\n`);
      tmux('new-session', '-d', '-s', 'z', '-x', '200', '-y', '50', 'env', `ZDOTDIR=${home}`, 'zsh', '-i');
      const seen = paneSeen(tmux, 'z');
      await seen((s) => s.includes('%'), 'the zsh prompt');
      tmux('send-keys', '-t', 'z', 'uwsgitop-ts serve --token-f', 'Tab');
      await seen((s) => s.includes('uwsgitop-ts serve --token-file'), '--token-file completed');
      tmux('send-keys', '-t', 'z', 'C-u', 'uwsgitop-ts replay --s', 'Tab');
      const screen = await seen((s) => s.includes('--show-secrets') && s.includes('--speed'), 'the replay options starting with --s');
      expect(screen).not.toContain('--sleeping');
    }, 30_000);
  });
});
