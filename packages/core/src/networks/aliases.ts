import { quoted, SPEC_LIMITS } from '../containers/spec-limits';
import { invalid } from '../errors';

/** How a refusal says the way out when a container's runtime cannot join a CNI network. */
export const UCR_USE =
  'use the ucr runtime (--runtime ucr, the label shoal.runtime=ucr, or `runtime: ucr` in a compose file), or ask an admin to make it the tenant runtime';

/** A name a discovery service can serve: a DNS label or a dotted name of them. */
const ALIAS = /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,252})$/;

/** The aliases asked for on one network, each once; a name no resolver could serve is refused. */
export function checkAliases(aliases: readonly string[], network: string): string[] {
  const wanted = [...new Set(aliases)];
  if (wanted.length > SPEC_LIMITS.aliases)
    throw invalid(
      `${wanted.length} aliases on network ${network}, more than ${SPEC_LIMITS.aliases}`,
    );
  for (const alias of wanted) {
    if (!ALIAS.test(alias))
      throw invalid(
        `invalid alias ${quoted(alias)} on network ${network}: at most 253 of [A-Za-z0-9][A-Za-z0-9_.-]`,
      );
  }
  return wanted;
}
