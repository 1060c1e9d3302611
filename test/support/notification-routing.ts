/**
 * How Flux's notification-controller routes one event to Providers, ported from
 * fluxcd/notification-controller internal/server/event_handlers.go, so tests can check that the
 * Alerts and Providers we write receive the events they are meant for:
 *
 * - `filterAlertsForEvent`: suspended Alerts are skipped; an Alert takes the event when one of its
 *   `eventSources` matches (`eventMatchesAlertSources`: a source without namespace means the Alert's
 *   namespace; kind and namespace equal; the Alert's `eventSeverity` equal to the event's, or `info`,
 *   which takes all; name `*` or equal);
 * - `getNotificationParams`: with `--no-cross-namespace-refs=true` an event of an object in another
 *   namespace than the Alert is discarded ("cross-namespace references have been blocked"); the
 *   Provider is `providerRef.name` in the Alert's namespace; a suspended Provider sends nothing;
 * - `createNotifier`: the Provider's `secretRef` is read in the Provider's namespace;
 * - the delivery runs under the Provider's `timeout`, 15 s when unset (api/v1beta3/provider_types.go).
 *
 * Label selectors and inclusion/exclusion lists are not ported: an object using them is refused.
 */
export interface NotificationObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec?: Readonly<Record<string, unknown>>;
}

export interface FluxEventSource {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly severity: 'info' | 'error';
}

export interface Delivery {
  readonly alert: string;
  readonly provider: string;
  readonly secret: string | undefined;
  readonly timeout: string;
}

export interface Routing {
  readonly deliveries: readonly Delivery[];
  /** Alerts that took the event but could not deliver it, with notification-controller's reason. */
  readonly dropped: readonly { readonly alert: string; readonly reason: string }[];
}

interface AlertSpec {
  suspend?: boolean;
  eventSeverity?: string;
  eventSources?: { kind: string; name: string; namespace?: string; matchLabels?: unknown }[];
  providerRef?: { name: string };
  inclusionList?: unknown;
  exclusionList?: unknown;
}

interface ProviderSpec {
  suspend?: boolean;
  secretRef?: { name: string };
  timeout?: string;
}

const key = (namespace: string | undefined, name: string) => `${namespace ?? 'default'}/${name}`;

export const routeEvent = (
  objects: readonly NotificationObject[],
  /** The Secrets that exist, as `namespace/name`. */
  secrets: readonly string[],
  event: FluxEventSource,
  options: { readonly noCrossNamespaceRefs: boolean },
): Routing => {
  const deliveries: Delivery[] = [];
  const dropped: { alert: string; reason: string }[] = [];
  for (const alert of objects.filter((o) => o.kind === 'Alert')) {
    const spec = (alert.spec ?? {}) as AlertSpec;
    if (spec.inclusionList !== undefined || spec.exclusionList !== undefined)
      throw new Error('inclusionList/exclusionList are not ported');
    if (spec.suspend) continue;
    const alertNamespace = alert.metadata.namespace ?? 'default';
    const severity = spec.eventSeverity ?? 'info';
    const matches = (spec.eventSources ?? []).some((source) => {
      if (source.matchLabels !== undefined) throw new Error('matchLabels is not ported');
      return (
        event.namespace === (source.namespace || alertNamespace) &&
        event.kind === source.kind &&
        (event.severity === severity || severity === 'info') &&
        (source.name === '*' || source.name === event.name)
      );
    });
    if (!matches) continue;
    const alertKey = key(alertNamespace, alert.metadata.name);
    if (options.noCrossNamespaceRefs && event.namespace !== alertNamespace) {
      dropped.push({
        alert: alertKey,
        reason:
          'discarding event, access denied to cross-namespace sources: cross-namespace references have been blocked',
      });
      continue;
    }
    const provider = objects.find(
      (o) =>
        o.kind === 'Provider' &&
        o.metadata.name === spec.providerRef?.name &&
        (o.metadata.namespace ?? 'default') === alertNamespace,
    );
    if (!provider) {
      dropped.push({
        alert: alertKey,
        reason: `failed to read provider ${key(alertNamespace, spec.providerRef?.name ?? '')}`,
      });
      continue;
    }
    const providerSpec = (provider.spec ?? {}) as ProviderSpec;
    if (providerSpec.suspend) continue;
    const secret = providerSpec.secretRef ? key(alertNamespace, providerSpec.secretRef.name) : undefined;
    if (secret !== undefined && !secrets.includes(secret)) {
      dropped.push({ alert: alertKey, reason: `failed to get secret '${secret}'` });
      continue;
    }
    deliveries.push({
      alert: alertKey,
      provider: key(alertNamespace, provider.metadata.name),
      secret,
      timeout: providerSpec.timeout ?? '15s',
    });
  }
  return { deliveries, dropped };
};
