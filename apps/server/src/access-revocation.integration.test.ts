import { afterEach, describe, expect, it } from 'vitest';
import superjson from 'superjson';
import { CSRF_HEADER } from '@shoal/api';
import { createTestDatabase } from '@shoal/db/testing';
import { startSimCluster } from '@shoal/mesos-sim';
import type { RunningShoal } from './app';
import { eventually, FAST_SIM, startShoalForTest } from './testing/shoal-under-test';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** Two instances on one database and one Mesos emulator, as behind a load balancer. */
async function twoInstances(): Promise<[RunningShoal, RunningShoal]> {
  const sim = await startSimCluster({ agents: 2, ...FAST_SIM });
  cleanups.push(() => sim.close());
  const db = await createTestDatabase();
  cleanups.push(() => db.close());
  const start = async () => {
    const shoal = await startShoalForTest({ db, masters: sim.masterUrls });
    cleanups.push(() => shoal.close());
    return shoal;
  };
  return [await start(), await start()];
}

/** An open streamed answer: what arrived so far, and whether it has ended. */
async function openStream(url: string, headers: Record<string, string>) {
  const stopped = new AbortController();
  cleanups.push(async () => stopped.abort());
  const res = await fetch(url, { headers, signal: stopped.signal });
  expect(res.status).toBe(200);
  const stream = { text: '', ended: false };
  void (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body ?? []) stream.text += decoder.decode(chunk as Uint8Array);
    } catch {
      // cut: ended all the same
    }
    stream.ended = true;
  })();
  return stream;
}

const dockerUrl = (shoal: RunningShoal) => shoal.dockerApi.url.replace('tcp:', 'http:');

describe('access that ends while a stream is open', () => {
  it('ends docker events streams on every instance soon after their token is revoked', async () => {
    const [first, second] = await twoInstances();
    const tenant = await first.services.tenants.create({ slug: 'acme', name: 'Acme' }, 'test');
    const { token, secret } = await first.services.tokens.issue(
      { tenantId: tenant.id, name: 'ci' },
      'test',
    );
    const auth = { Authorization: `Bearer ${secret}` };
    const here = await openStream(`${dockerUrl(first)}/v1.50/events`, auth);
    const there = await openStream(`${dockerUrl(second)}/v1.50/events`, auth);
    const kept = await openStream(`${dockerUrl(second)}/v1.50/events`, {
      Authorization: `Bearer ${(await first.services.tokens.issue({ tenantId: tenant.id, name: 'other' }, 'test')).secret}`,
    });

    await first.services.tokens.revoke(tenant.id, token.id, 'test');
    await eventually(
      'both streams of the revoked token to end',
      async () => here.ended && there.ended,
    );
    expect(kept.ended).toBe(false);

    await first.services.containers.create(tenant.id, { name: 'after', image: 'nginx' }, 'test');
    await eventually('the other token to see the create', async () =>
      kept.text.includes('"after"'),
    );
    expect(here.text + there.text).not.toContain('"after"');
  });

  it('ends a dashboard live view soon after the user is removed from the tenant, or disabled', async () => {
    const [first, second] = await twoInstances();
    const tenant = await first.services.tenants.create({ slug: 'acme', name: 'Acme' }, 'test');
    const view = async (email: string) => {
      const user = await first.services.users.create({ email, password: 'correct horse battery' });
      await first.services.users.addMembership(user.id, tenant.id, 'MEMBER');
      const { token } = await first.services.sessions.signIn(email, 'correct horse battery');
      const input = encodeURIComponent(JSON.stringify(superjson.serialize({ tenantSlug: 'acme' })));
      const stream = await openStream(
        `${second.controlPlane.url}/trpc/containers.events?input=${input}`,
        {
          cookie: `shoal_session=${token}`,
          accept: 'text/event-stream',
          [CSRF_HEADER]: '1',
        },
      );
      return { user, stream };
    };
    const removed = await view('removed@example.com');
    const disabled = await view('disabled@example.com');
    const staying = await view('staying@example.com');

    await first.services.memberships.remove(tenant.id, removed.user.id, 'test');
    await first.services.userAdmin.setDisabled(disabled.user.id, true, 'test');
    await eventually(
      'both live views to end',
      async () => removed.stream.ended && disabled.stream.ended,
    );
    expect(removed.stream.text).toContain('You no longer have access to this tenant');
    expect(disabled.stream.text).toContain('Your session has ended');
    expect(staying.stream.ended).toBe(false);

    await first.services.containers.create(tenant.id, { name: 'after', image: 'nginx' }, 'test');
    await eventually('the remaining member to see the create', async () =>
      staying.stream.text.includes('after'),
    );
    expect(removed.stream.text + disabled.stream.text).not.toContain('after');
  });
});
