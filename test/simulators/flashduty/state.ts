// In-memory account state: integrations, channels and routes, kept in the snake_case shapes the
// Open API returns, plus the id and key generators.

import { randomBytes } from "node:crypto";

/** Member id the simulator reports as creator/updater (the app key's owner). */
export const SIM_MEMBER_ID = 2_000_001;

export interface IntegrationRecord {
  integration_id: number;
  data_source_id: number;
  account_id: number;
  team_id: number;
  name: string;
  description: string;
  category: string;
  plugin_id: number;
  plugin_type: string;
  status: "enabled" | "disabled";
  ref_id: string;
  integration_key: string;
  settings: Record<string, unknown>;
  last_time: number;
  created_at: number;
  updated_at: number;
  creator_id: number;
  updated_by: number;
  editable: boolean;
  no_editable: boolean;
  exclusive_data_source_id: number;
  [extra: string]: unknown;
}

export interface ChannelRecord {
  channel_id: number;
  account_id: number;
  team_id: number;
  channel_name: string;
  description: string;
  status: "enabled" | "disabled" | "deleted";
  deleted_at: number;
  created_at: number;
  updated_at: number;
  creator_id: number;
  updated_by: number;
  [field: string]: unknown;
}

export interface RouteRecord {
  integration_id: number;
  cases: unknown[];
  sections: unknown[];
  default: unknown;
  status: "enabled" | "deleted";
  version: number;
  updated_by: number;
  creator_id: number;
  deleted_at: number;
  created_at: number;
  updated_at: number;
  [extra: string]: unknown;
}

/** Something that references an integration and so blocks its deletion (ReferenceExist). */
export interface IntegrationReference {
  ref_type: string;
  ref_id: number | string;
  ref_name?: string;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export class SimState {
  readonly integrations = new Map<number, IntegrationRecord>();
  readonly channels = new Map<number, ChannelRecord>();
  readonly routes = new Map<number, RouteRecord>();
  /** Simulator-planted references per integration id (nothing in the simulated API creates them). */
  readonly integrationRefs = new Map<number, IntegrationReference[]>();

  private nextIntegrationId = 6_113_996_590_131;
  private nextChannelId = 3_521_074_710_131;

  constructor(readonly accountId: number) {}

  clear(): void {
    this.integrations.clear();
    this.channels.clear();
    this.routes.clear();
    this.integrationRefs.clear();
  }

  newIntegrationId(): number {
    return this.nextIntegrationId++;
  }

  newChannelId(): number {
    return this.nextChannelId++;
  }

  /** Integration keys: 32 lowercase hex characters + account id mod 1000, zero-padded (35 in all). */
  keySuffix(): string {
    return String(this.accountId % 1000).padStart(3, "0");
  }

  newIntegrationKey(): string {
    return randomBytes(16).toString("hex") + this.keySuffix();
  }

  integrationByKey(key: string): IntegrationRecord | undefined {
    for (const integration of this.integrations.values()) {
      if (integration.integration_key === key) return integration;
    }
    return undefined;
  }

  /** A channel that exists and is not soft-deleted. */
  liveChannel(id: number): ChannelRecord | undefined {
    const channel = this.channels.get(id);
    return channel && channel.status !== "deleted" ? channel : undefined;
  }
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}
