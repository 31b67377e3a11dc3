'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { Button } from '@/components/ui/button';
import { messageOf } from '@/lib/errors';
import { refreshContainerViews } from '@/lib/refresh';
import { useTRPC } from '@/lib/trpc';

/** Start/stop/restart/remove; shown only to members, refused by the server for anyone else. */
export function ContainerActions({
  tenantSlug,
  id,
  state,
  wantsToRun = false,
}: {
  tenantSlug: string;
  id: string;
  state: string;
  /** Started but not placed yet: Stop gives up the wait, Start would do nothing. */
  wantsToRun?: boolean;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  // The list follows from the live stream; the views of this one container are read again.
  const refresh = () => refreshContainerViews(queryClient, trpc);
  const start = useMutation(trpc.containers.start.mutationOptions({ onSettled: refresh }));
  const stop = useMutation(trpc.containers.stop.mutationOptions({ onSettled: refresh }));
  const restart = useMutation(trpc.containers.restart.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(
    trpc.containers.remove.mutationOptions({
      onSuccess: async () => {
        await refresh();
        router.push(`/t/${tenantSlug}`);
      },
    }),
  );
  const busy = start.isPending || stop.isPending || restart.isPending || remove.isPending;
  const failed = [start, stop, restart, remove].find((m) => m.error)?.error;
  const ref = { tenantSlug, ref: id };
  const live = state === 'running' || state === 'restarting' || wantsToRun;

  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex flex-wrap gap-2">
        {live ? (
          <Button variant="secondary" disabled={busy} onClick={() => stop.mutate(ref)}>
            {stop.isPending ? 'Stopping…' : 'Stop'}
          </Button>
        ) : (
          <Button
            variant="secondary"
            disabled={busy || state === 'removing'}
            onClick={() => start.mutate(ref)}
          >
            {start.isPending ? 'Starting…' : 'Start'}
          </Button>
        )}
        <Button
          variant="secondary"
          disabled={busy || state === 'removing'}
          onClick={() => restart.mutate(ref)}
        >
          {restart.isPending ? 'Restarting…' : 'Restart'}
        </Button>
        <Button
          variant="danger"
          disabled={busy}
          onClick={() => {
            if (
              window.confirm(
                live ? 'The container is running. Kill and remove it?' : 'Remove this container?',
              )
            ) {
              remove.mutate({ ...ref, force: live });
            }
          }}
        >
          {remove.isPending ? 'Removing…' : 'Remove'}
        </Button>
      </div>
      {failed && (
        <p role="alert" className="text-sm font-medium text-red-700 dark:text-red-300">
          {messageOf(failed)}
        </p>
      )}
    </div>
  );
}
