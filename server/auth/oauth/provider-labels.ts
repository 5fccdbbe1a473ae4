import type { StatehouseConfig } from '../../config';

const BUILT_IN_LABELS: Record<string, string> = { github: 'GitHub', google: 'Google' };

/**
 * The configured providers, in config order, with the name **Continue with
 * <Provider name>** shows: `label`, else GitHub / Google, else the id
 * capitalised.
 */
export function providerLabels(config: StatehouseConfig): { id: string; label: string }[] {
  return Object.entries(config.oauth.providers).map(([id, settings]) => ({
    id,
    label: settings.label ?? BUILT_IN_LABELS[id] ?? id.charAt(0).toUpperCase() + id.slice(1),
  }));
}
