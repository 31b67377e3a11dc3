/** The shell lines that point the docker CLI at this tenant with a fresh token. */
export function dockerSnippet(secret: string, tenantSlug: string, dockerHost: string): string {
  const dir = `$HOME/.shoal/${tenantSlug}`;
  const config = JSON.stringify({ HttpHeaders: { Authorization: `Bearer ${secret}` } });
  return [
    `mkdir -p ${dir} && umask 077`,
    `cat > ${dir}/config.json <<'EOF'`,
    config,
    'EOF',
    `export DOCKER_HOST=tcp://${dockerHost} DOCKER_CONFIG=${dir}`,
    'docker run -d --name web -m 128m nginx',
  ].join('\n');
}
