/**
 * QA of relay control: with --allow-control every command request comes from a token holder, so refused ones
 * (names outside the allowed list, unknown targets, targets without a FIFO) are logged with who asked, like
 * the accepted ones, and a hostile command name reaches the log only as safe text. Without control nothing is
 * logged (anyone on loopback could fill the log).
 */
import { describe, expect, it } from 'vitest';
import { handleClientMessage, type CommandContext, type RelayControl } from '../../src/relay/remote-command.js';
import { RELAY_COMMANDS } from '../../src/relay/commands.js';
import { FakeMonitor } from '../support/web-fixtures.js';

function context(allowControl: boolean, lines: string[], ran: string[]): CommandContext {
  const control: RelayControl = {
    run: async (command) => {
      ran.push(command);
      return { ok: true, message: `ran ${command}` };
    },
  };
  return {
    allowControl,
    monitors: new Map([
      ['with-fifo', new FakeMonitor('with-fifo')],
      ['no-fifo', new FakeMonitor('no-fifo')],
    ]),
    controls: new Map([['with-fifo', control]]),
    remote: '192.0.2.7:40000',
    log: (line) => lines.push(line),
    announce: () => undefined,
  };
}

const msg = (target: string, command: string): string => JSON.stringify({ v: 1, type: 'command', id: 'c1', target, command });

describe('relay control requests', () => {
  it('refuses names outside the list and logs each refusal with the client address', async () => {
    const lines: string[] = [];
    const ran: string[] = [];
    const ctx = context(true, lines, ran);
    const refused = ['shutdown', 'brutal-reload', 'go-cheap', 'refork', 'q', '__proto__', 'constructor'];
    for (const name of refused) {
      const reply = await handleClientMessage(msg('with-fifo', name), ctx);
      expect(reply).toMatchObject({ type: 'command-result', ok: false, command: name });
    }
    expect(ran).toEqual([]);
    expect(lines).toHaveLength(refused.length);
    refused.forEach((name, i) => {
      expect(lines[i]).toContain(`command ${name} on with-fifo from 192.0.2.7:40000`);
      expect(lines[i]).toContain('REFUSED');
    });
  });

  it('logs refusals for an unknown target and a target without FIFO, and the accepted command', async () => {
    const lines: string[] = [];
    const ran: string[] = [];
    const ctx = context(true, lines, ran);
    expect(await handleClientMessage(msg('nowhere', 'pause'), ctx)).toMatchObject({ ok: false, message: 'unknown target' });
    expect(await handleClientMessage(msg('no-fifo', 'pause'), ctx)).toMatchObject({ ok: false });
    expect(await handleClientMessage(msg('with-fifo', RELAY_COMMANDS[0]!), ctx)).toMatchObject({ ok: true });
    expect(ran).toEqual([RELAY_COMMANDS[0]]);
    expect(lines[0]).toMatch(/command pause on nowhere from 192\.0\.2\.7:40000: REFUSED: unknown target/);
    expect(lines[1]).toMatch(/command pause on no-fifo from 192\.0\.2\.7:40000: REFUSED: no master FIFO/);
    expect(lines[2]).toContain(`command ${RELAY_COMMANDS[0]} on with-fifo from 192.0.2.7:40000: ok`);
  });

  it('writes a hostile command name to the log without terminal controls', async () => {
    const lines: string[] = [];
    const ctx = context(true, lines, []);
    await handleClientMessage(msg('with-fifo', 'x\u001b[2J\u009b31m\u202e\ny'), ctx);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
  });

  it('logs nothing when control is off', async () => {
    const lines: string[] = [];
    const reply = await handleClientMessage(msg('with-fifo', 'pause'), context(false, lines, []));
    expect(reply).toMatchObject({ ok: false });
    expect(lines).toEqual([]);
  });
});
