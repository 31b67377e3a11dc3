import { ZxcvbnFactory, type ZxcvbnResult } from '@zxcvbn-ts/core';
import { invalid } from '../errors';

export const MIN_PASSWORD_LENGTH = 10;
/** zxcvbn's "safely unguessable": moderate protection against offline guessing of a slow hash. */
const MIN_SCORE = 3;

let estimator: Promise<ZxcvbnFactory> | undefined;

/** zxcvbn with its common-password, English and keyboard lists, loaded on first use. */
function strength(): Promise<ZxcvbnFactory> {
  estimator ??= Promise.all([
    import('@zxcvbn-ts/language-common'),
    import('@zxcvbn-ts/language-en'),
  ]).then(
    ([common, en]) =>
      new ZxcvbnFactory({
        translations: en.translations,
        graphs: common.adjacencyGraphs,
        dictionary: { ...common.dictionary, ...en.dictionary },
      }),
  );
  return estimator;
}

export function checkPasswordLength(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw invalid(`A password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  }
}

function explain(result: ZxcvbnResult): string {
  const why = result.feedback.warning ?? 'It is too easy to guess.';
  const how = result.feedback.suggestions.join(' ');
  return `Choose a harder password. ${why}${how ? ` ${how}` : ''}`;
}

/**
 * Refuses a password a person chose when it is short, or common or guessable (zxcvbn,
 * as Dropbox and NIST SP 800-63B advise: a check against lists of common and breached
 * passwords, words and keyboard patterns, and the user's own email).
 */
export async function checkNewPassword(password: string, personal: string[]): Promise<void> {
  checkPasswordLength(password);
  const inputs = personal.flatMap((s) => [s, ...s.split(/[@.+_-]/)]).filter((s) => s.length > 2);
  const result = (await strength()).check(password, [...inputs, 'shoal', 'mesos']);
  if (result.score < MIN_SCORE) throw invalid(explain(result));
}
