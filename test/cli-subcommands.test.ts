/** Subcommands are delegated with the rest of the command line; the relay address form is accepted. */
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-helpers.js';

describe('subcommand delegation', () => {
  it('uwsgitop-ts fifo --help prints the fifo command help', async () => {
    const { code, stdout, stderr } = await runCli(['fifo', '--help']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/fifo/);
  });
});
