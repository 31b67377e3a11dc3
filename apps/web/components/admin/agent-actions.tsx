'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Button } from '@/components/ui/button';
import { messageOf } from '@/lib/errors';
import { useTRPC } from '@/lib/trpc';

interface Agent {
  id: string;
  hostname: string;
  drainState: 'DRAINING' | 'DRAINED' | null;
  maintenance: 'SCHEDULED' | 'DOWN' | null;
  active: boolean;
}

const HOUR = 3600;

export function AgentActions({ agent }: { agent: Agent }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.admin.cluster.overview.queryKey() });
  const drain = useMutation(trpc.admin.cluster.drainAgent.mutationOptions({ onSettled: refresh }));
  const reactivate = useMutation(
    trpc.admin.cluster.reactivateAgent.mutationOptions({ onSettled: refresh }),
  );
  const schedule = useMutation(
    trpc.admin.cluster.scheduleMaintenance.mutationOptions({ onSettled: refresh }),
  );
  const end = useMutation(
    trpc.admin.cluster.endMaintenance.mutationOptions({ onSettled: refresh }),
  );
  const busy = [drain, reactivate, schedule, end].some((m) => m.isPending);
  const failed = [drain, reactivate, schedule, end].find((m) => m.error)?.error;

  return (
    <div className="flex flex-wrap gap-2">
      {agent.drainState || !agent.active ? (
        <Button
          variant="secondary"
          disabled={busy}
          aria-label={`Reactivate ${agent.hostname}`}
          onClick={() => reactivate.mutate({ agentId: agent.id })}
        >
          Reactivate
        </Button>
      ) : (
        <Button
          variant="danger"
          disabled={busy}
          aria-label={`Drain ${agent.hostname}`}
          onClick={() =>
            window.confirm(
              `Drain ${agent.hostname}? Its tasks are killed after a 5 minute grace period.`,
            ) && drain.mutate({ agentId: agent.id, maxGracePeriodSeconds: 300 })
          }
        >
          Drain
        </Button>
      )}
      {agent.maintenance ? (
        <Button
          variant="secondary"
          disabled={busy}
          aria-label={`End maintenance of ${agent.hostname}`}
          onClick={() => end.mutate({ hostname: agent.hostname })}
        >
          End maintenance
        </Button>
      ) : (
        <Button
          variant="secondary"
          disabled={busy}
          aria-label={`Maintenance 1 h for ${agent.hostname}`}
          onClick={() => schedule.mutate({ hostname: agent.hostname, durationSeconds: HOUR })}
        >
          Maintenance 1 h
        </Button>
      )}
      {failed && (
        <p role="alert" className="w-full text-xs font-medium text-red-700 dark:text-red-300">
          {messageOf(failed)}
        </p>
      )}
    </div>
  );
}
