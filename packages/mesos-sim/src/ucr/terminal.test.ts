import { describe, expect, it } from 'vitest';
import { Terminal } from './terminal';

function terminal() {
  let screen = '';
  let interrupts = 0;
  const tty = new Terminal(
    (bytes) => (screen += bytes.toString('latin1')),
    () => interrupts++,
  );
  const never = new AbortController().signal;
  return {
    tty,
    screen: () => screen,
    interrupts: () => interrupts,
    read: () => tty.input.read(never).then((b) => (b === null ? null : b.toString('latin1'))),
  };
}

describe('the emulated terminal (a new Linux pty: canonical, echo, ICRNL, ONLCR, ISIG)', () => {
  it('gives the reader whole lines, CR read as NL, and echoes them with CR LF', async () => {
    const t = terminal();
    t.tty.type(Buffer.from('ab'));
    expect(t.screen()).toBe('ab');
    t.tty.type(Buffer.from('c\r'));
    expect(await t.read()).toBe('abc\n');
    expect(t.screen()).toBe('abc\r\n');
  });

  it('edits the line with backspace and ^U before it is read', async () => {
    const t = terminal();
    t.tty.type(Buffer.from('helo\x7f\x7flo\x15bye\n'));
    expect(await t.read()).toBe('bye\n');
    expect(t.screen()).toBe('helo\b \b\b \blo\b \b\b \b\b \b\b \bbye\r\n');
  });

  it('ends input with ^D on an empty line, and hands over a partial line otherwise', async () => {
    const t = terminal();
    t.tty.type(Buffer.from('par\x04'));
    expect(await t.read()).toBe('par');
    t.tty.type(Buffer.from('\x04'));
    expect(await t.read()).toBeNull();
    // Unlike a pipe, a terminal can be read again after an end of input.
    t.tty.type(Buffer.from('more\n'));
    expect(await t.read()).toBe('more\n');
  });

  it('interrupts on ^C, dropping the line, and writes NL as CR NL', () => {
    const t = terminal();
    t.tty.type(Buffer.from('half\x03'));
    expect(t.interrupts()).toBe(1);
    expect(t.screen()).toBe('half^C\r\n');
    t.tty.write('one\ntwo\n');
    expect(t.screen()).toBe('half^C\r\none\r\ntwo\r\n');
  });
});
