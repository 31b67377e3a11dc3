import { describe, expect, it } from 'vitest';
import { EMPTY_LAUNCH_FORM, splitWords, toLaunchRequest } from './launch-form-model';

describe('the launch form’s command', () => {
  it('is split into words as a shell quotes them', () => {
    expect(splitWords('sh -c "echo hi; sleep 1"')).toEqual({
      words: ['sh', '-c', 'echo hi; sleep 1'],
    });
    expect(splitWords(`echo 'a "b"' "it's" --name="x y" a\\ b`)).toEqual({
      words: ['echo', 'a "b"', "it's", '--name=x y', 'a b'],
    });
    expect(splitWords('printf "\\"\\\\\\$ \\n"')).toEqual({ words: ['printf', '"\\$ \\n'] });
    expect(splitWords('echo \'\' ""')).toEqual({ words: ['echo', '', ''] });
    expect(splitWords('   ')).toEqual({ words: [] });
  });

  it('with a quote left open is a field error, not a word with a quote in it', () => {
    for (const command of ['sleep "unterminated', "echo 'half", 'echo done\\']) {
      const { request, errors } = toLaunchRequest({
        ...EMPTY_LAUNCH_FORM,
        image: 'busybox',
        command,
      });
      expect(request, command).toBeUndefined();
      expect(errors.command, command).toMatch(/not closed|escapes nothing/);
    }
    const { request } = toLaunchRequest({
      ...EMPTY_LAUNCH_FORM,
      image: 'busybox',
      command: 'sleep "5"',
    });
    expect(request?.cmd).toEqual(['sleep', '5']);
  });
});
