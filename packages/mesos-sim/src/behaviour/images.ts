import type { Step } from './steps';

interface ImageBehaviour {
  stream: 'stdout' | 'stderr';
  line: string;
  serves: boolean;
}

const IMAGES: Record<string, ImageBehaviour> = {
  nginx: {
    stream: 'stdout',
    line: '/docker-entrypoint.sh: Configuration complete; ready for start up',
    serves: true,
  },
  redis: { stream: 'stdout', line: '1:M * Ready to accept connections tcp', serves: true },
  httpd: {
    stream: 'stderr',
    line: '[mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4 (Unix) configured -- resuming normal operations',
    serves: true,
  },
  postgres: {
    stream: 'stdout',
    line: 'LOG:  database system is ready to accept connections',
    serves: true,
  },
  'hello-world': {
    stream: 'stdout',
    line: '\nHello from Docker!\nThis message shows that your installation appears to be working correctly.',
    serves: false,
  },
  busybox: { stream: 'stdout', line: '', serves: false },
  alpine: { stream: 'stdout', line: '', serves: false },
  ubuntu: { stream: 'stdout', line: '', serves: false },
  debian: { stream: 'stdout', line: '', serves: false },
};

/** `registry:5000/library/nginx:1.27@sha256:…` → `nginx`. */
export function imageBaseName(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const last = noDigest.split('/').pop() ?? noDigest;
  return last.split(':')[0] ?? last;
}

export function imageDefault(image: string): Step[] {
  const name = imageBaseName(image);
  const known = IMAGES[name];
  const behaviour = known ?? {
    stream: 'stdout' as const,
    line: `${name}: started, waiting for connections`,
    serves: true,
  };
  const steps: Step[] = [];
  if (behaviour.line !== '')
    steps.push({ kind: 'write', stream: behaviour.stream, text: `${behaviour.line}\n` });
  steps.push(behaviour.serves ? { kind: 'serve' } : { kind: 'exit', code: 0 });
  return steps;
}
