import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCliArgs } from './cli-args';
import { rawRequest } from './testing/raw-http';

describe('CLI arguments', () => {
  it('defaults to one master on 5050 and the gateway on 5051', () => {
    const { options } = parseCliArgs([]);
    expect(options).toMatchObject({
      masters: 1,
      port: 5050,
      agentGatewayPort: 5051,
      host: '127.0.0.1',
    });
    expect(options.agents).toHaveLength(3);
  });

  it('reads agents, masters and tuning flags', () => {
    const { options, quiet } = parseCliArgs([
      '--agents',
      '5',
      '--masters',
      '3',
      '--agent-cpus',
      '8',
      '--heartbeat',
      '0.5',
      '--quiet',
    ]);
    expect(options).toMatchObject({
      masters: 3,
      agentGatewayPort: 5053,
      heartbeatIntervalSeconds: 0.5,
    });
    expect(options.agents).toEqual(Array.from({ length: 5 }, () => ({ cpus: 8 })));
    expect(quiet).toBe(true);
    expect(() => parseCliArgs(['--agents', 'many'])).toThrow(/--agents/);
  });
});

describe('shoal-mesos-sim', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
  });

  it('prints the master URLs, serves the API and exits cleanly on SIGTERM', async () => {
    const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
    child = spawn(
      process.execPath,
      ['--import', 'tsx', cli, '--agents', '2', '--masters', '2', '--port', '0', '--quiet'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    const masters = await new Promise<string[]>((resolve, reject) => {
      child?.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const line = /^MESOS_MASTER=(.*)$/m.exec(output);
        if (line) resolve((line[1] ?? '').split(','));
      });
      child?.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
    });
    expect(masters).toHaveLength(2);
    expect(output).toContain('agent gateway: http://127.0.0.1:');
    const health = await rawRequest(`${masters[0]}/api/v1`, {
      headers: { 'Content-Type': 'application/json' },
      body: '{"type":"GET_AGENTS"}',
    });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text).get_agents.agents).toHaveLength(2);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    child = undefined;
  });
});
