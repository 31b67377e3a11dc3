import { invalid } from '../errors';
import { quoted, SPEC_LIMITS } from './spec-limits';

// Docker's reference grammar (distribution/reference), as a registry and `docker run` read it.
const ALPHANUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|-+)';
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::${TAG})?(?:@${DIGEST})?$`);

/**
 * Refuses an image reference a registry could not serve, in Docker's words: the same check
 * for `docker run`, `docker create` and `docker pull`, so an image pulled can be run.
 */
export function checkImageReference(image: string): void {
  if (image.length > SPEC_LIMITS.imageLength)
    throw invalid(`invalid reference format: longer than ${SPEC_LIMITS.imageLength} characters`);
  const match = REFERENCE.exec(image);
  if (!match) {
    // A name with capitals in its path is Docker's one refusal with a reason of its own.
    const lowered = REFERENCE.exec(image.toLowerCase());
    throw invalid(
      lowered
        ? `invalid reference format: repository name (${quoted(image)}) must be lowercase`
        : `invalid reference format: ${quoted(image)}`,
    );
  }
}
