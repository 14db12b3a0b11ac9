/** The kernel listen-queue helper's edges (which names are asked for, what a reply may be, a missing perl), and /proc stat parsing. */
import { describe, expect, it } from 'vitest';
import { kernelName, kernelQueues, parseAnswer, tcpToken } from '../../src/stats/sock-diag.js';

describe('kernel listen queues', () => {
  it('asks only for unix sockets, by the name uWSGI bound (abstract ones with their NUL)', () => {
    expect(kernelName('127.0.0.1:3031')).toBeNull();
    expect(kernelName(':3031')).toBeNull();
    expect(kernelName('[::1]:3031')).toBeNull();
    expect(kernelName('@app')).toEqual(Buffer.from('\0app', 'latin1'));
    expect(kernelName('/run/app.sock')).toEqual(Buffer.from('/run/app.sock'));
    expect(kernelName('app.sock')).toEqual(Buffer.from('app.sock'));
    expect(kernelName('/' + 'x'.repeat(200))).toBeNull();
  });

  it('refuses a reply that is not one entry per name of queue,backlog,inode triples', () => {
    expect(parseAnswer('11,10,4242 -', 2)).toEqual([[{ queue: 11, maxQueue: 10, inode: 4242 }], []]);
    expect(parseAnswer('1,2,3;4,5,6', 1)).toEqual([[{ queue: 1, maxQueue: 2, inode: 3 }, { queue: 4, maxQueue: 5, inode: 6 }]]);
    expect(parseAnswer('11,10,4242', 2)).toBeNull();
    expect(parseAnswer('11,10', 1)).toBeNull();
    expect(parseAnswer('\u001b[2J', 1)).toBeNull();
  });

  it('says "cannot be asked" (null) when perl cannot be started, and asks nothing for TCP sockets uWSGI gave figures for', async () => {
    const unix = { name: '/nonexistent/app.sock', proto: 'uwsgi', queue: 0, maxQueue: 0, shared: false, canOffload: false };
    expect(await kernelQueues([unix], process.pid, '/nonexistent/perl')).toBeNull();
    expect(await kernelQueues([{ ...unix, name: '127.0.0.1:3031', maxQueue: 100 }], process.pid, '/nonexistent/perl')).toEqual([null]);
    expect(await kernelQueues([{ ...unix, name: '[::1]:3031' }], process.pid, '/nonexistent/perl')).toBeNull();
  });

  it('asks about a TCP listener by numeric address and port, only when uWSGI gave it no figures', () => {
    const s = (name: string, maxQueue = 0) => ({ name, queue: 0, maxQueue });
    expect(tcpToken(s('[::1]:3031'))).toBe('t6-::1-3031');
    expect(tcpToken(s('[::]:3031'))).toBe('t6-::-3031');
    expect(tcpToken(s('127.0.0.1:3031'))).toBe('t4-127.0.0.1-3031');
    expect(tcpToken(s(':3031'))).toBe('t4-0.0.0.0-3031');
    expect(tcpToken(s('127.0.0.1:3031', 100))).toBeNull();
    expect(tcpToken(s('localhost:3031'))).toBeNull();
    expect(tcpToken(s('[fe80::1%eth0]:3031'))).toBeNull();
    expect(tcpToken(s('999.1.1.1:3031'))).toBeNull();
    expect(tcpToken(s('[::1]:70000'))).toBeNull();
    expect(tcpToken(s('/run/app.sock'))).toBeNull();
  });
});

describe('/proc/PID/stat', () => {
  it('counts fields after the last parenthesis: a process name with spaces and parentheses cannot shift them', async () => {
    const { parseProcStat } = await import('../../src/stats/proc-os.js');
    const line = '1 (a b) c) S 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29';
    expect(parseProcStat(line)).toEqual({ comm: 'a b) c', ppid: 7, cpuTicks: 17 + 18, startTicks: 25, vszBytes: 26, rssPages: 27 });
    expect(parseProcStat('1 (x) S 7')).toBeNull();
    expect(parseProcStat('garbage')).toBeNull();
    expect(parseProcStat('1 (x) S 7 8 9 10 11 12 13 14 15 16 -17 18 19 20 21 22 23 24 25 26 27')).toBeNull();
  });

  it('reads a line from the bytes of a read: only the bytes read, the trailing newline ignored', async () => {
    const { parseProcStatBytes } = await import('../../src/stats/proc-os.js');
    const buf = Buffer.alloc(200, 0x39);
    const line = '42 (uwsgi) S 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29\n';
    const n = buf.write(line, 'latin1');
    expect(parseProcStatBytes(buf, n)).toEqual({ comm: 'uwsgi', ppid: 7, cpuTicks: 17 + 18, startTicks: 25, vszBytes: 26, rssPages: 27 });
    // The read's length bounds the line: the 9s left in the buffer from an earlier, longer read are not part of it.
    expect(parseProcStatBytes(buf, line.indexOf(' 27 '))).toBeNull();
  });

  it("reads this process's own line as the kernel writes it", async () => {
    const { readFileSync } = await import('node:fs');
    const { parseProcStat } = await import('../../src/stats/proc-os.js');
    const stat = parseProcStat(readFileSync('/proc/self/stat', 'latin1'));
    expect(stat?.ppid).toBe(process.ppid);
    expect(stat?.comm.length).toBeGreaterThan(0);
    expect(stat?.rssPages).toBeGreaterThan(0);
  });
});
