/** Role name rules of Mesos (src/common/roles.cpp); returns the reason a name is invalid. */
export function roleError(role: string): string | undefined {
  if (role === '*') return undefined;
  if (role === '') return 'Empty role name is invalid';
  if (role.startsWith('/')) return `Role '${role}' cannot start with a slash`;
  if (role.endsWith('/')) return `Role '${role}' cannot end with a slash`;
  if (role.includes('//')) return `Role '${role}' cannot contain two adjacent slashes`;
  for (const part of role.split('/')) {
    if (part === '.' || part === '..' || part === '*')
      return `Role '${role}' cannot contain '${part}' as a component`;
    if (part.startsWith('-'))
      return `Role component '${part}' is invalid because it starts with a dash`;
    if ([...part].some((c) => /\s/.test(c) || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
      return `Role '${role}' cannot include whitespace or control characters`;
  }
  return undefined;
}

/** `a/b/c` → `['a', 'a/b']`. */
export function ancestorRoles(role: string): string[] {
  const parts = role.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}

export function isNestedRole(role: string): boolean {
  return role.includes('/');
}

export function isSubroleOrSelf(role: string, ancestor: string): boolean {
  return role === ancestor || role.startsWith(`${ancestor}/`);
}
