/**
 * The relay's command list is typed against the FIFO's command names: every name is a command the FIFO
 * knows (and does not drop requests), and a misspelt name fails to compile (the `@ts-expect-error` below
 * is itself an error for tsc -p tsconfig.test.json the day the misspelling would be accepted).
 */
import { describe, expect, it } from 'vitest';
import { findCommand, type FifoCommandName } from '../../src/fifo/commands.js';
import { isRelayCommand, RELAY_COMMANDS } from '../../src/relay/commands.js';

describe('relay commands', () => {
  it('are FIFO commands that drop no request', () => {
    for (const name of RELAY_COMMANDS) {
      const command = findCommand(name);
      expect(command, name).toBeDefined();
      expect(command!.dangerous, name).toBe(false);
    }
    expect(isRelayCommand('shutdown')).toBe(false);
    expect(isRelayCommand('chain-reload')).toBe(true);
  });

  it('refuse a misspelt name at compile time', () => {
    // @ts-expect-error 'chain-relaod' is not a FIFO command name
    const typo: FifoCommandName = 'chain-relaod';
    const fine: FifoCommandName = 'chain-reload';
    expect(findCommand(typo)).toBeUndefined();
    expect(findCommand(fine)?.byte).toBe('c');
  });
});
