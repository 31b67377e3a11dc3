import type { AgentFacts, PlacementConstraint } from './types';

function fieldValue(agent: AgentFacts, field: string): string | undefined {
  return field === 'hostname' ? agent.hostname : agent.attributes[field];
}

function fullMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return false;
  }
}

/**
 * Whether `agent` may take one more task of a group whose other tasks run on
 * `peers` (one entry per task). An agent lacking the attribute never matches,
 * as in Marathon.
 */
export function satisfiesConstraints(
  constraints: readonly PlacementConstraint[],
  agent: AgentFacts,
  peers: readonly AgentFacts[],
): boolean {
  return constraints.every((c) => {
    const value = fieldValue(agent, c.field);
    if (value === undefined) return false;
    const peerValues = peers.map((p) => fieldValue(p, c.field));
    switch (c.operator) {
      case 'UNIQUE':
        return !peerValues.includes(value);
      case 'CLUSTER':
        if (c.value !== undefined) return value === c.value;
        return peerValues.every((v) => v === value);
      case 'LIKE':
        return fullMatch(c.value ?? '', value);
      case 'UNLIKE':
        return !fullMatch(c.value ?? '', value);
      case 'MAX_PER': {
        const max = Number(c.value);
        return Number.isFinite(max) && peerValues.filter((v) => v === value).length < max;
      }
    }
  });
}

/** Parses Marathon-style `field:OPERATOR[:value]` entries, comma-separated. */
export function parseConstraints(text: string): PlacementConstraint[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [field, operator, ...rest] = entry.split(':');
      const op = operator?.toUpperCase();
      if (!field || !op || !['UNIQUE', 'CLUSTER', 'LIKE', 'UNLIKE', 'MAX_PER'].includes(op)) {
        throw new Error(
          `Invalid placement constraint "${entry}": expected field:OPERATOR[:value] with OPERATOR one of UNIQUE, CLUSTER, LIKE, UNLIKE, MAX_PER`,
        );
      }
      const value = rest.length > 0 ? rest.join(':') : undefined;
      if ((op === 'LIKE' || op === 'UNLIKE' || op === 'MAX_PER') && value === undefined) {
        throw new Error(`Placement constraint "${entry}" needs a value`);
      }
      if (op === 'MAX_PER' && !(Number(value) >= 1)) {
        throw new Error(`Placement constraint "${entry}": MAX_PER needs a positive number`);
      }
      return {
        field,
        operator: op as PlacementConstraint['operator'],
        ...(value !== undefined ? { value } : {}),
      };
    });
}
