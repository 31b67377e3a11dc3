import { describe, expect, it } from 'vitest';
import { parseCreateBody } from './create';

// What `docker run -d --name web nginx` sends (Docker CLI 28.2), zero values and all.
const CLI_BODY = {
  Hostname: '',
  Domainname: '',
  User: '',
  AttachStdin: false,
  AttachStdout: false,
  AttachStderr: false,
  Tty: false,
  OpenStdin: false,
  StdinOnce: false,
  Env: null,
  Cmd: null,
  Image: 'nginx',
  Volumes: {},
  WorkingDir: '',
  Entrypoint: null,
  OnBuild: null,
  Labels: {},
  HostConfig: {
    Binds: null,
    ContainerIDFile: '',
    LogConfig: { Type: '', Config: {} },
    NetworkMode: 'default',
    PortBindings: {},
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    AutoRemove: false,
    VolumeDriver: '',
    VolumesFrom: null,
    ConsoleSize: [0, 0],
    CapAdd: null,
    CapDrop: null,
    CgroupnsMode: '',
    Dns: [],
    DnsOptions: [],
    DnsSearch: [],
    ExtraHosts: null,
    GroupAdd: null,
    IpcMode: '',
    Cgroup: '',
    Links: null,
    OomScoreAdj: 0,
    PidMode: '',
    Privileged: false,
    PublishAllPorts: false,
    ReadonlyRootfs: false,
    SecurityOpt: null,
    UTSMode: '',
    UsernsMode: '',
    ShmSize: 0,
    Isolation: '',
    CpuShares: 0,
    Memory: 0,
    NanoCpus: 0,
    CgroupParent: '',
    BlkioWeight: 0,
    BlkioWeightDevice: [],
    BlkioDeviceReadBps: [],
    BlkioDeviceWriteBps: [],
    BlkioDeviceReadIOps: [],
    BlkioDeviceWriteIOps: [],
    CpuPeriod: 0,
    CpuQuota: 0,
    CpuRealtimePeriod: 0,
    CpuRealtimeRuntime: 0,
    CpusetCpus: '',
    CpusetMems: '',
    Devices: [],
    DeviceCgroupRules: null,
    DeviceRequests: null,
    MemoryReservation: 0,
    MemorySwap: 0,
    MemorySwappiness: -1,
    OomKillDisable: false,
    PidsLimit: 0,
    Ulimits: [],
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    MaskedPaths: null,
    ReadonlyPaths: null,
  },
  NetworkingConfig: {
    EndpointsConfig: {
      default: {
        IPAMConfig: null,
        Links: null,
        Aliases: null,
        MacAddress: '',
        DriverOpts: null,
        GwPriority: 0,
        NetworkID: '',
        EndpointID: '',
        Gateway: '',
        IPAddress: '',
        IPPrefixLen: 0,
        IPv6Gateway: '',
        GlobalIPv6Address: '',
        GlobalIPv6PrefixLen: 0,
        DNSNames: null,
      },
    },
  },
};

const withHost = (host: Record<string, unknown>, top: Record<string, unknown> = {}) => ({
  ...CLI_BODY,
  ...top,
  HostConfig: { ...CLI_BODY.HostConfig, ...host },
});

const refusal = (body: unknown) => {
  try {
    parseCreateBody(body, {});
    return 'accepted';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('parseCreateBody', () => {
  it("accepts the CLI's full body of zero values as a plain bridge container", () => {
    expect(parseCreateBody(CLI_BODY, { name: 'web' })).toEqual({
      name: 'web',
      image: 'nginx',
      env: [],
      labels: {},
      tty: false,
      openStdin: false,
      stdinOnce: false,
      networkMode: 'bridge',
      ports: [],
      publishAllPorts: false,
      restartPolicy: { name: 'no' },
      autoRemove: false,
    });
  });

  it('maps the fields Shoal supports onto the container spec', () => {
    const spec = parseCreateBody(
      withHost(
        {
          Memory: 128 * 1024 * 1024,
          NanoCpus: 1_500_000_000,
          PortBindings: {
            '80/tcp': [{ HostIp: '', HostPort: '8080' }],
            '53/udp': [{ HostIp: '0.0.0.0', HostPort: '' }],
          },
          RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
          DeviceRequests: [
            { Driver: '', Count: 2, DeviceIDs: null, Capabilities: [['gpu']], Options: {} },
          ],
        },
        {
          Entrypoint: ['/bin/sh'],
          Cmd: '-c "echo hi"',
          Env: ['A=b'],
          Labels: { 'shoal.best-effort': 'true', 'shoal.constraints': 'hostname:UNIQUE' },
          WorkingDir: '/srv',
          User: '1000',
          Hostname: 'box',
        },
      ),
      {},
    );
    expect(spec).toMatchObject({
      entrypoint: ['/bin/sh'],
      cmd: ['-c "echo hi"'],
      env: ['A=b'],
      labels: { 'shoal.best-effort': 'true', 'shoal.constraints': 'hostname:UNIQUE' },
      workingDir: '/srv',
      user: '1000',
      hostname: 'box',
      memoryMb: 128,
      cpus: 1.5,
      gpus: 2,
      restartPolicy: { name: 'on-failure', maximumRetryCount: 3 },
      ports: [
        { containerPort: 80, protocol: 'tcp', hostPort: 8080 },
        { containerPort: 53, protocol: 'udp' },
      ],
    });
  });

  it('reads cpu shares and CFS quotas as Mesos cpus', () => {
    expect(parseCreateBody(withHost({ CpuShares: 512 }), {}).cpus).toBe(0.5);
    expect(parseCreateBody(withHost({ CpuPeriod: 100_000, CpuQuota: 250_000 }), {}).cpus).toBe(2.5);
  });

  it('refuses cpu shares beside --cpus or a CFS quota, rather than dropping one of them', () => {
    for (const host of [
      { CpuShares: 512, NanoCpus: 2e9 },
      { CpuShares: 512, CpuPeriod: 100_000, CpuQuota: 50_000 },
    ])
      expect(() => parseCreateBody(withHost(host), {}), JSON.stringify(host)).toThrow(
        /CpuShares \(--cpu-shares\) and NanoCpus \(--cpus\) or CpuPeriod\/CpuQuota/,
      );
    expect(() => parseCreateBody(withHost({ CpuShares: 1_000_000 }), {})).toThrow(
      /CpuShares \(--cpu-shares\) is at most 262144, not 1000000/,
    );
    expect(parseCreateBody(withHost({ CpuShares: 262_144 }), {}).cpus).toBe(256);
  });

  it('publishes every exposed port on any host port with -P', () => {
    const spec = parseCreateBody(
      withHost(
        { PublishAllPorts: true, PortBindings: { '80/tcp': [{ HostPort: '8080' }] } },
        { ExposedPorts: { '80/tcp': {}, '443/tcp': {} } },
      ),
      {},
    );
    expect(spec.ports).toEqual([
      { containerPort: 80, protocol: 'tcp', hostPort: 8080 },
      { containerPort: 443, protocol: 'tcp' },
    ]);
  });

  it('refuses -P with no port named, whose image ports Shoal cannot read, rather than publish none', () => {
    expect(refusal(withHost({ PublishAllPorts: true }))).toMatch(
      /^-P \(PublishAllPorts\) publishes the ports the image exposes, .* --expose, or .* -p$/,
    );
  });

  it('refuses options that would change behaviour, naming the option and its flag', () => {
    expect(refusal(withHost({ Privileged: true }))).toMatch(
      /^HostConfig\.Privileged \(--privileged\) is not supported/,
    );
    expect(refusal(withHost({ Binds: ['/data:/data'] }))).toMatch(
      /HostConfig\.Binds \(-v\/--volume\)/,
    );
    expect(refusal(withHost({ CapAdd: ['NET_ADMIN'] }))).toMatch(
      /HostConfig\.CapAdd \(--cap-add\)/,
    );
    expect(refusal(withHost({ Devices: [{ PathOnHost: '/dev/fuse' }] }))).toMatch(
      /HostConfig\.Devices/,
    );
    expect(refusal(withHost({ Links: ['db:db'] }))).toMatch(/HostConfig\.Links \(--link\)/);
    expect(refusal(withHost({ NetworkMode: 'container:web' }))).toMatch(
      /\(--network container:…\) is not supported by Shoal/,
    );
    expect(refusal(withHost({ LogConfig: { Type: 'syslog', Config: {} } }))).toMatch(
      /--log-driver syslog/,
    );
    expect(refusal(withHost({ SomeFutureField: 'x' }))).toMatch(
      /HostConfig\.SomeFutureField is not supported/,
    );
    expect(refusal({ ...CLI_BODY, Healthcheck: { Test: ['CMD', 'true'] } })).toMatch(
      /Healthcheck \(--health-cmd\)/,
    );
    expect(refusal({ ...CLI_BODY, Volumes: { '/data': {} } })).toMatch(/^Volumes/);
    expect(
      refusal(withHost({ PortBindings: { '80/tcp': [{ HostIp: '10.0.0.1', HostPort: '80' }] } })),
    ).toMatch(/host address 10\.0\.0\.1/);
    expect(refusal(withHost({ DeviceRequests: [{ Count: -1, Capabilities: [['gpu']] }] }))).toMatch(
      /--gpus <count>/,
    );
    expect(
      refusal({
        ...CLI_BODY,
        NetworkingConfig: { EndpointsConfig: { default: { Aliases: ['db'] } } },
      }),
    ).toMatch(
      /NetworkingConfig\.EndpointsConfig\.default: aliases and addresses are supported only on the tenant's own networks/,
    );
    expect(
      refusal({
        ...withHost({ NetworkMode: 'app' }),
        NetworkingConfig: { EndpointsConfig: { app: { IPAMConfig: { IPv4Address: '10.0.0.9' } } } },
      }),
    ).toMatch(
      /NetworkingConfig\.EndpointsConfig\.app\.IPAMConfig \(--ip, --ip6, --link-local-ip\)/,
    );
  });

  it('refuses a setting whose zero value asks for something, and takes the value clients send for none', () => {
    // --memory-swappiness 0 turns swap off; the CLI sends -1 when the flag is not given.
    for (const swappiness of [0, 60]) {
      expect(refusal(withHost({ MemorySwappiness: swappiness }))).toBe(
        'HostConfig.MemorySwappiness (--memory-swappiness) is not supported by Shoal: Shoal does not pass this setting on to the Mesos agent that runs the container',
      );
    }
    for (const swappiness of [-1, null, undefined]) {
      expect(refusal(withHost({ MemorySwappiness: swappiness }))).toBe('accepted');
    }
    // --security-opt systempaths=unconfined: empty lists, which unmask the host's /proc paths.
    expect(refusal(withHost({ MaskedPaths: [], ReadonlyPaths: [] }))).toMatch(
      /^HostConfig\.MaskedPaths \(--security-opt systempaths=unconfined\) is not supported by Shoal: Shoal does not offer it to tenants/,
    );
    expect(refusal(withHost({ ReadonlyPaths: [] }))).toMatch(/^HostConfig\.ReadonlyPaths /);
    // --pids-limit -1 is "unlimited", as a task's processes are; a limit is refused.
    for (const limit of [-1, 0, null])
      expect(refusal(withHost({ PidsLimit: limit }))).toBe('accepted');
    expect(refusal(withHost({ PidsLimit: 100 }))).toMatch(
      /^HostConfig\.PidsLimit \(--pids-limit\)/,
    );
  });

  it('takes host port 0 as any free port, as Docker does and as an omitted one is', () => {
    expect(
      parseCreateBody(withHost({ PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '0' }] } }), {})
        .ports,
    ).toEqual([{ containerPort: 80, protocol: 'tcp' }]);
  });

  it('refuses a platform other than the one Shoal reports, naming it, since agents run their own', () => {
    const onPlatform = (platform: string) => {
      try {
        parseCreateBody(CLI_BODY, { platform });
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    };
    for (const platform of ['', 'linux', 'linux/amd64', 'Linux/x86_64', 'linux/amd64/v1', 'amd64'])
      expect(onPlatform(platform), platform).toBe('accepted');
    for (const platform of ['linux/arm64', 'linux/arm/v7', 'linux/amd64/v3', 'linux/386', 'arm64'])
      expect(onPlatform(platform), platform).toBe(
        `platform "${platform}" is not supported: each Mesos agent runs the image for its own architecture, which Shoal cannot choose (it takes linux/amd64, the platform docker version reports)`,
      );
    expect(onPlatform('windows/amd64')).toBe(
      'platform "windows/amd64" is not supported: Shoal runs Linux containers',
    );
  });

  it("puts a container on the tenant's networks named by NetworkMode and EndpointsConfig, with their aliases", () => {
    expect(
      parseCreateBody(
        {
          ...withHost({ NetworkMode: 'shop_default' }),
          NetworkingConfig: {
            EndpointsConfig: {
              shop_default: { Aliases: ['web', 'www'], Links: [], IPAMConfig: null },
              backend: {},
            },
          },
        },
        { name: 'shop_web_1' },
      ),
    ).toMatchObject({
      networkMode: 'bridge',
      networks: [{ network: 'shop_default', aliases: ['web', 'www'] }, { network: 'backend' }],
    });
    expect(
      parseCreateBody(
        {
          ...withHost({ NetworkMode: 'host' }),
          NetworkingConfig: { EndpointsConfig: { host: {} } },
        },
        {},
      ),
    ).not.toHaveProperty('networks');
  });

  it('refuses named volumes by name: Mesos gives a task no Docker volumes', () => {
    expect(refusal(withHost({ Binds: ['data:/data:rw'] }))).toMatch(
      /^named volume "data" .* is not supported by Shoal: a Mesos task gets no Docker volumes/,
    );
    expect(
      refusal(withHost({ Mounts: [{ Type: 'volume', Source: 'cache', Target: '/cache' }] })),
    ).toMatch(/^named volume "cache"/);
  });

  it('refuses volumes and --privileged as what Shoal does not offer, saying why', () => {
    for (const host of [{ Privileged: true }, { Binds: ['/data:/data'] }]) {
      const message = refusal(withHost(host));
      expect(message).toMatch(/Shoal does not offer it to tenants/);
      expect(message).toMatch(/tenant isolation/);
      expect(message).not.toMatch(/no such setting/);
    }
  });

  it('passes -i and -t on to core, which knows whether the runtime can give them', () => {
    expect(
      parseCreateBody({ ...CLI_BODY, Tty: true, AttachStdin: true, OpenStdin: true }, {}),
    ).toMatchObject({ tty: true, openStdin: true });
    // docker run -i in the foreground: the input is the attached client's.
    expect(
      parseCreateBody({ ...CLI_BODY, AttachStdin: true, OpenStdin: true, StdinOnce: true }, {}),
    ).toMatchObject({ tty: false, openStdin: true, stdinOnce: true });
  });

  it('takes --runtime as the Mesos containerizer to use, runc meaning the default', () => {
    expect(parseCreateBody(withHost({ Runtime: 'ucr' }), {}).runtime).toBe('ucr');
    expect(parseCreateBody(withHost({ Runtime: 'docker' }), {}).runtime).toBe('docker');
    expect(parseCreateBody(withHost({ Runtime: 'runc' }), {}).runtime).toBeUndefined();
    expect(refusal(withHost({ Runtime: 'kata' }))).toBe(
      'HostConfig.Runtime (--runtime kata) is not a Shoal runtime: use docker (the Mesos Docker containerizer) or ucr (the Mesos containerizer with the Docker image)',
    );
  });

  it('refuses wrong types and missing fields with the field named', () => {
    expect(refusal('nginx')).toMatch(/must be a JSON object/);
    expect(refusal({ ...CLI_BODY, Image: '' })).toMatch(/Image is required/);
    expect(refusal({ ...CLI_BODY, Image: 42 })).toBe('invalid type for Image: expected a string');
    expect(refusal({ ...CLI_BODY, Env: 'A=b' })).toBe(
      'invalid type for Env: expected a list of strings',
    );
    expect(refusal(withHost({ Memory: '1g' }))).toBe(
      'invalid type for HostConfig.Memory: expected a number',
    );
    expect(refusal(withHost({ Memory: -5 }))).toBe(
      'invalid value for HostConfig.Memory: -5 is negative',
    );
    expect(refusal({ ...CLI_BODY, Labels: { a: 1 } })).toBe(
      'invalid type for Labels.a: expected a string',
    );
    expect(refusal(withHost({ PortBindings: { '80/sctp': [] } }))).toMatch(
      /sctp ports are not supported/,
    );
  });
});
