'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { CheckboxField, SelectField, TextAreaField, TextField } from '@/components/ui/field';
import { fieldErrorsOf, messageOf } from '@/lib/errors';
import { refreshContainerViews } from '@/lib/refresh';
import { useTRPC } from '@/lib/trpc';
import {
  EMPTY_LAUNCH_FORM,
  serverErrorsToFields,
  toLaunchRequest,
  type LaunchErrors,
  type LaunchFormValues,
} from './launch-form-model';

export function LaunchForm({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [values, setValues] = useState<LaunchFormValues>(EMPTY_LAUNCH_FORM);
  const [errors, setErrors] = useState<LaunchErrors>({});
  const launch = useMutation(
    trpc.containers.launch.mutationOptions({
      onSuccess: async (container) => {
        await refreshContainerViews(queryClient, trpc);
        router.push(`/t/${tenantSlug}/containers/${container.id}`);
      },
      onError: (error) => setErrors(serverErrorsToFields(fieldErrorsOf(error))),
    }),
  );

  const set =
    <K extends keyof LaunchFormValues>(key: K) =>
    (value: LaunchFormValues[K]) =>
      setValues((v) => ({ ...v, [key]: value }));
  const text = (key: Exclude<keyof LaunchFormValues, 'bestEffort' | 'restartPolicy'>) => ({
    value: values[key],
    onChange: (e: { target: { value: string } }) => set(key)(e.target.value),
    error: errors[key],
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const { request, errors: found } = toLaunchRequest(values);
    setErrors(found);
    if (request) launch.mutate({ tenantSlug, ...request });
  };
  const formError =
    launch.error && Object.keys(errors).length === 0 ? messageOf(launch.error) : null;

  return (
    <form onSubmit={submit} noValidate className="space-y-6" aria-label="Launch a container">
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField label="Image" placeholder="nginx:1.27" required {...text('image')} />
        <TextField label="Name" placeholder="generated when empty" {...text('name')} />
        <div className="sm:col-span-2">
          <TextField
            label="Command"
            placeholder='sh -c "echo hello; sleep 3600"'
            hint="Overrides the image’s default command; quotes group words."
            {...text('command')}
          />
        </div>
        <TextField label="CPUs" inputMode="decimal" {...text('cpus')} />
        <TextField label="Memory (MB)" inputMode="numeric" {...text('memoryMb')} />
        <TextAreaField
          label="Environment"
          placeholder={'KEY=value\nOTHER=value'}
          hint="One KEY=value per line."
          {...text('env')}
        />
        <TextAreaField
          label="Labels"
          placeholder={'team=web\ntier=frontend'}
          hint="One key=value per line."
          {...text('labels')}
        />
        <TextField
          label="Ports"
          placeholder="80, 8443:443, 53/udp"
          hint="Container ports to publish; host:container fixes the host port."
          {...text('ports')}
        />
        <div className="grid grid-cols-2 gap-4">
          <SelectField
            label="Restart policy"
            value={values.restartPolicy}
            onChange={(e) =>
              set('restartPolicy')(e.target.value as LaunchFormValues['restartPolicy'])
            }
          >
            <option value="no">no</option>
            <option value="on-failure">on-failure</option>
            <option value="always">always</option>
            <option value="unless-stopped">unless-stopped</option>
          </SelectField>
          {values.restartPolicy === 'on-failure' && (
            <TextField
              label="Max retries"
              inputMode="numeric"
              hint="0 retries forever."
              {...text('maxRetries')}
            />
          )}
        </div>
        <div className="sm:col-span-2">
          <CheckboxField
            label="Best effort"
            hint="Run on revocable resources only: cheaper on the quota, first to be killed when Mesos revokes them."
            checked={values.bestEffort}
            onChange={(e) => set('bestEffort')(e.target.checked)}
          />
        </div>
      </div>
      {formError && (
        <p
          role="alert"
          className="rounded-md border border-red-200 dark:border-red-900 bg-red-50 dark:bg-red-950 px-4 py-3 text-sm font-medium text-red-800 dark:text-red-300"
        >
          {formError}
        </p>
      )}
      {Object.keys(errors).length > 0 && (
        <p role="alert" className="text-sm font-medium text-red-700 dark:text-red-300">
          Check the highlighted fields.
        </p>
      )}
      <Button type="submit" disabled={launch.isPending}>
        {launch.isPending ? 'Launching… waiting for an offer' : 'Launch container'}
      </Button>
    </form>
  );
}
