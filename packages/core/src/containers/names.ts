import { randomInt } from 'node:crypto';
import { conflict, invalid } from '../errors';
import { randomHex } from './random-hex';
import { SPEC_LIMITS } from './spec-limits';

// Two short word lists, so an unnamed container gets a readable name the way
// `docker run` gives one.
const ADJECTIVES = [
  'amber',
  'brave',
  'brisk',
  'calm',
  'clever',
  'crisp',
  'dapper',
  'eager',
  'fancy',
  'gentle',
  'happy',
  'jolly',
  'keen',
  'lively',
  'lucid',
  'merry',
  'nimble',
  'plucky',
  'quiet',
  'rapid',
  'serene',
  'shiny',
  'sunny',
  'swift',
  'tidy',
  'vivid',
  'witty',
  'zesty',
  'bold',
  'cosmic',
];
const FISH = [
  'anchovy',
  'barracuda',
  'bream',
  'carp',
  'cod',
  'dory',
  'eel',
  'flounder',
  'grouper',
  'haddock',
  'halibut',
  'herring',
  'koi',
  'mackerel',
  'marlin',
  'minnow',
  'perch',
  'pike',
  'pollock',
  'salmon',
  'sardine',
  'skate',
  'snapper',
  'sole',
  'sprat',
  'sturgeon',
  'tetra',
  'trout',
  'tuna',
  'wrasse',
];

/**
 * A readable name for an unnamed container. The word pairs are few (900), so a name taken in
 * the tenant is drawn again, as Docker does, and each redraw adds a digit to widen the draw.
 */
export function randomContainerName(redraw = 0): string {
  const pair = `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${FISH[randomInt(FISH.length)]}`;
  return redraw === 0 ? pair : `${pair}${randomInt(10 ** Math.min(redraw, 6))}`;
}

/** 64 hex characters, like a Docker container id. */
export function newContainerId(): string {
  return randomHex(32);
}

/** Docker's container-name rule. */
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Refuses a name Docker would; the length first, so a huge name is not echoed back. */
export function checkContainerName(name: string, asGiven = name): void {
  if (name.length > SPEC_LIMITS.nameLength)
    throw invalid(`Invalid container name: longer than ${SPEC_LIMITS.nameLength} characters`);
  if (!CONTAINER_NAME.test(name)) {
    throw invalid(
      `Invalid container name "${asGiven}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`,
    );
  }
}

/**
 * The name a container is known by. One being removed frees its name at once, as Docker
 * does, by taking on a suffix with its own short id (`web.removed.0123456789ab`); until
 * its row goes, views and events still name it as its owner did.
 */
export function shownName(container: { id: string; name: string }): string {
  const short = container.id.slice(0, 12);
  for (const suffix of [`.removed.${short}`, `.removing.${short}`])
    if (container.name.endsWith(suffix)) return container.name.slice(0, -suffix.length);
  return container.name;
}

/** Docker's refusal of a name another of the tenant's containers has (`holder`, its id). */
export function nameTaken(name: string, holder: string | null | undefined) {
  return conflict(
    `Conflict. The container name "/${name}" is already in use by container "${holder ?? 'unknown'}". You have to remove (or rename) that container to be able to reuse that name.`,
  );
}
