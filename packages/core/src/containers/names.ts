import { randomInt } from 'node:crypto';
import { randomHex } from './random-hex';

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
export const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
