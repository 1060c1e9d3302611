import * as z from '../zod';

/**
 * The event Flux's notification-controller posts to a generic(-hmac) provider: the controller's
 * event as-is (fluxcd/pkg/apis/event/v1beta1 Event), e.g. from helm-controller:
 *
 *   {"involvedObject":{"kind":"HelmRelease","namespace":"staging","name":"web",
 *     "apiVersion":"helm.toolkit.fluxcd.io/v2"},"severity":"info","timestamp":"…Z",
 *    "message":"Helm upgrade succeeded …","reason":"UpgradeSucceeded","reportingController":"helm-controller",
 *    "metadata":{"revision":"1.2.0","run-id":"…"}}
 *
 * https://fluxcd.io/flux/components/notification/events/ . Metadata keys arrive without the
 * controller-group prefix in current Flux (`revision`) and with it in older ones
 * (`helm.toolkit.fluxcd.io/revision`); an object annotation `event.toolkit.fluxcd.io/<key>` arrives as
 * `<key>` (the run id). Both spellings are accepted; the unprefixed one wins.
 */
const eventShape = z.object({
  involvedObject: z.object({
    kind: z.string().check(z.minLength(1)),
    name: z.string().check(z.minLength(1)),
    namespace: z.optional(z.string()),
    apiVersion: z.optional(z.string()),
    uid: z.optional(z.string()),
  }),
  severity: z._default(z.string(), 'info'),
  timestamp: z.iso.datetime({ offset: true }),
  message: z._default(z.string(), ''),
  reason: z._default(z.string(), ''),
  metadata: z._default(z.record(z.string(), z.string()), {}),
  reportingController: z.optional(z.string()),
  reportingInstance: z.optional(z.string()),
});

export interface FluxEvent {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly apiVersion?: string;
  readonly severity: string;
  readonly timestamp: Date;
  readonly reason: string;
  readonly message: string;
  readonly controller?: string;
  /** The chart version (HelmRelease events). */
  readonly revision?: string;
  /** From the release's `event.toolkit.fluxcd.io/run-id` annotation. */
  readonly runId?: string;
  /** Every metadata key, prefixes removed. */
  readonly metadata: Readonly<Record<string, string>>;
}

export type FluxEventParse =
  | { readonly ok: true; readonly event: FluxEvent }
  | { readonly ok: false; readonly message: string };

/** `helm.toolkit.fluxcd.io/revision` → `revision`, `event.toolkit.fluxcd.io/run-id` → `run-id`. */
const unprefixed = (key: string): string => key.slice(key.lastIndexOf('/') + 1);

const normaliseMetadata = (metadata: Readonly<Record<string, string>>): Record<string, string> => {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) if (key.includes('/')) result[unprefixed(key)] = value;
  for (const [key, value] of Object.entries(metadata)) if (!key.includes('/')) result[key] = value;
  return result;
};

export const parseFluxEvent = (value: unknown): FluxEventParse => {
  const parsed = eventShape.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`,
    );
    return { ok: false, message: `not a Flux event: ${issues.join('; ')}` };
  }
  const e = parsed.data;
  const metadata = normaliseMetadata(e.metadata);
  const optional = (key: string, value: string | undefined) =>
    value === undefined || value === '' ? {} : { [key]: value };
  return {
    ok: true,
    event: {
      kind: e.involvedObject.kind,
      name: e.involvedObject.name,
      ...optional('namespace', e.involvedObject.namespace),
      ...optional('apiVersion', e.involvedObject.apiVersion),
      severity: e.severity,
      timestamp: new Date(e.timestamp),
      reason: e.reason,
      message: e.message,
      ...optional('controller', e.reportingController),
      ...optional('revision', metadata.revision),
      ...optional('runId', metadata['run-id']),
      metadata,
    },
  };
};
