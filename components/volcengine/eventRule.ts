// Dynamic resource for a Cloud Monitor event rule that delivers to callbacks — the console's
// "Event Center → Event Rules → Alert Callback" (CreateEventRule / UpdateEventRule /
// DeleteEventRule / ListEventRules). Delivery is always ContactMethods ["Webhook"] + WebhookIds.

import * as pulumi from "@pulumi/pulumi";
import {
  EventRuleItem,
  EventRuleSpec,
  createEventRule,
  deleteEventRule,
  findEventRule,
  updateEventRule,
} from "./api";
import { VolcengineProviderBase } from "./providerBase";
import {
  DEFAULT_END_TIME,
  DEFAULT_START_TIME,
  Failure,
  Level,
  checkAdoptId,
  checkEffectiveTime,
  checkEnabled,
  checkEventSource,
  checkDescription,
  checkEventTypes,
  checkLevel,
  checkRuleName,
  checkWebhookIds,
} from "./validation";
import { containsUnknown } from "../common/unknown";
import { providerFromModule } from "../common/dynamicProvider";

export interface EffectiveTime {
  startTime: string;
  endTime: string;
}

export interface EventRuleInputs {
  ruleName: string;
  description: string;
  eventSource: string;
  eventTypes: string[];
  level: Level;
  effectiveTime: EffectiveTime;
  enabled: boolean;
  webhookIds: string[];
  adoptId?: string;
}

export interface EventRuleOutputs extends EventRuleInputs {
  /** Delivery methods on the server; ["Webhook"] for rules we manage. */
  contactMethods: string[];
  /** Region the rule lives in (from config when it was created). */
  region: string;
}

const MANAGED_CONTACT_METHODS = ["Webhook"];

function sameSet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = [...(a ?? [])].sort();
  const y = [...(b ?? [])].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Server times may come back with seconds; compare as HH:MM. */
function hhmm(value: string | undefined, fallback: string): string {
  return value && /^\d{2}:\d{2}/.test(value) ? value.slice(0, 5) : fallback;
}

function toSpec(inputs: EventRuleInputs): EventRuleSpec {
  return {
    RuleName: inputs.ruleName,
    Description: inputs.description,
    EventSource: inputs.eventSource,
    EventType: inputs.eventTypes,
    Level: inputs.level,
    Status: inputs.enabled ? "enable" : "disable",
    EffectiveTime: {
      StartTime: inputs.effectiveTime.startTime,
      EndTime: inputs.effectiveTime.endTime,
    },
    WebhookIds: inputs.webhookIds,
  };
}

function fromServer(
  item: EventRuleItem,
  region: string,
  adoptId: string | undefined,
): EventRuleOutputs {
  return {
    ruleName: item.RuleName,
    description: item.Description ?? "",
    eventSource: item.Source,
    eventTypes: item.EventType ?? [],
    level: item.Level as Level,
    effectiveTime: {
      startTime: hhmm(item.EffectStartAt, DEFAULT_START_TIME),
      endTime: hhmm(item.EffectEndAt, DEFAULT_END_TIME),
    },
    enabled: item.EnableState === "enable",
    webhookIds: item.WebhookIds ?? [],
    contactMethods: item.ContactMethods ?? [],
    region,
    ...(adoptId !== undefined ? { adoptId } : {}),
  };
}

/** Names of the fields where the server object differs from what we declare. */
function differences(current: EventRuleOutputs, wanted: EventRuleInputs): string[] {
  const out: string[] = [];
  if (current.ruleName !== wanted.ruleName) out.push("ruleName");
  if (current.description !== wanted.description) out.push("description");
  if (current.eventSource !== wanted.eventSource) out.push("eventSource");
  if (!sameSet(current.eventTypes, wanted.eventTypes)) out.push("eventTypes");
  if (current.level !== wanted.level) out.push("level");
  if (
    current.effectiveTime?.startTime !== wanted.effectiveTime.startTime ||
    current.effectiveTime?.endTime !== wanted.effectiveTime.endTime
  )
    out.push("effectiveTime");
  if (current.enabled !== wanted.enabled) out.push("enabled");
  if (!sameSet(current.webhookIds, wanted.webhookIds)) out.push("webhookIds");
  if (!sameSet(current.contactMethods, MANAGED_CONTACT_METHODS)) out.push("contactMethods");
  return out;
}

export class EventRuleProvider
  extends VolcengineProviderBase
  implements pulumi.dynamic.ResourceProvider<EventRuleInputs, EventRuleOutputs>
{
  async check(
    _olds: EventRuleInputs,
    news: EventRuleInputs,
  ): Promise<pulumi.dynamic.CheckResult<EventRuleInputs>> {
    const n = news as Partial<EventRuleInputs>;
    const failures: Failure[] = [
      ...checkRuleName(n.ruleName),
      ...checkEventSource(n.eventSource),
      ...checkEventTypes(n.eventTypes),
      ...checkLevel(n.level),
      ...checkEffectiveTime(n.effectiveTime),
      ...checkEnabled(n.enabled),
      ...checkWebhookIds(n.webhookIds),
      ...checkAdoptId(n.adoptId),
      ...checkDescription(n.description),
    ];
    if (failures.length > 0) return { failures };
    const effective = containsUnknown(n.effectiveTime)
      ? (n.effectiveTime as unknown as EffectiveTime)
      : {
          startTime: n.effectiveTime?.startTime ?? DEFAULT_START_TIME,
          endTime: n.effectiveTime?.endTime ?? DEFAULT_END_TIME,
        };
    const inputs: EventRuleInputs = {
      ruleName: n.ruleName!,
      description: n.description ?? "",
      eventSource: n.eventSource!,
      eventTypes: n.eventTypes!,
      level: n.level!,
      effectiveTime: effective,
      enabled: n.enabled ?? true,
      webhookIds: n.webhookIds!,
      ...(n.adoptId !== undefined ? { adoptId: n.adoptId } : {}),
    };
    return { inputs };
  }

  async diff(
    id: string,
    olds: EventRuleOutputs,
    news: EventRuleInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const replaces: string[] = [];
    if (news.adoptId !== undefined && (containsUnknown(news.adoptId) || news.adoptId !== id))
      replaces.push("adoptId");
    // The source cannot be changed in place (ForceNew in the Terraform provider).
    if (containsUnknown(news.eventSource) || news.eventSource !== olds.eventSource)
      replaces.push("eventSource");
    replaces.push(...this.regionReplaces(olds.region));
    const changes = differences(olds, news).filter((k) => k !== "eventSource");
    for (const key of Object.keys(news) as Array<keyof EventRuleInputs>)
      if (
        key !== "adoptId" &&
        key !== "eventSource" &&
        containsUnknown(news[key]) &&
        !changes.includes(key)
      )
        changes.push(key);
    const all = [...new Set([...replaces, ...changes])];
    return { changes: all.length > 0, replaces, deleteBeforeReplace: false };
  }

  async create(inputs: EventRuleInputs): Promise<pulumi.dynamic.CreateResult<EventRuleOutputs>> {
    const s = this.settings();
    let id: string;
    if (inputs.adoptId) {
      const existing = await findEventRule(s, inputs.adoptId);
      if (!existing)
        throw new Error(
          `adoptId: event rule ${inputs.adoptId} does not exist in region ${s.region}; check the id in the console ` +
            "(Cloud Monitor → Event Center → Event Rules) or remove adoptId to create a new rule.",
        );
      if (existing.Source !== inputs.eventSource)
        throw new Error(
          `eventSource: the adopted rule ${inputs.adoptId} watches "${existing.Source}" but "${inputs.eventSource}" is declared; ` +
            `the source cannot be changed in place, so declare eventSource "${existing.Source}" or remove adoptId.`,
        );
      id = existing.RuleId;
      if (differences(fromServer(existing, s.region, undefined), inputs).length > 0)
        await updateEventRule(s, id, toSpec(inputs));
    } else {
      id = await createEventRule(s, toSpec(inputs));
    }
    return {
      id,
      outs: { ...inputs, contactMethods: [...MANAGED_CONTACT_METHODS], region: s.region },
    };
  }

  async read(
    id: string,
    props?: EventRuleOutputs,
  ): Promise<pulumi.dynamic.ReadResult<EventRuleOutputs>> {
    const s = this.settings(props?.region);
    // One call when the rule still has the name in the state; a bounded scan otherwise.
    const current = await findEventRule(s, id, props?.ruleName);
    if (!current) return { id: "" };
    return { id, props: fromServer(current, s.region, props?.adoptId) };
  }

  async update(
    id: string,
    olds: EventRuleOutputs,
    news: EventRuleInputs,
  ): Promise<pulumi.dynamic.UpdateResult<EventRuleOutputs>> {
    const s = this.settings(olds.region);
    await updateEventRule(s, id, toSpec(news));
    return { outs: { ...news, contactMethods: [...MANAGED_CONTACT_METHODS], region: s.region } };
  }

  async delete(id: string, props: EventRuleOutputs): Promise<void> {
    const s = this.settings(props.region);
    await this.deleteOrConfirmGone(
      () => deleteEventRule(s, id),
      async () => (await findEventRule(s, id, props.ruleName)) !== undefined,
      (deleted) => (deleted as string[]).includes(id),
    );
  }
}

/** The one provider object for all EventRule resources (the host loads it through providerFromModule). */
export const eventRuleProvider = new EventRuleProvider();

export interface EventRuleArgs {
  /** Rule name (2–127 characters, not starting with a digit or "-"). */
  ruleName: pulumi.Input<string>;
  /** Up to 255 characters: Chinese characters, letters, digits, "_", "-", Chinese punctuation. */
  description?: pulumi.Input<string>;
  /** Cloud service whose events match, e.g. "ecs". Changing it replaces the rule. */
  eventSource: pulumi.Input<string>;
  /**
   * Event types to match (at least one), e.g. "ecs:Disk:DiskError.Redeploy.Canceled". Volcengine has
   * no "all types" value; the console's Event Center lists each source's types. Required: `check`
   * refuses a rule without it (optional here only so that preview unknowns type-check).
   */
  eventTypes?: pulumi.Input<pulumi.Input<string>[]>;
  level: pulumi.Input<Level>;
  /** Daily window "HH:MM"–"HH:MM" in which the rule alerts. Default 00:00–23:59. */
  effectiveTime?: pulumi.Input<{ startTime: pulumi.Input<string>; endTime: pulumi.Input<string> }>;
  /** Status enable/disable. Default true. */
  enabled?: pulumi.Input<boolean>;
  /** Callback ids (CallbackUrl ids) to deliver to; at most 8. */
  webhookIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Id (RuleId) of an existing rule to take over instead of creating one (it is updated to match). */
  adoptId?: pulumi.Input<string>;
}

/** A Volcengine Cloud Monitor event rule delivering to callbacks ("Alert Callback"). */
export class EventRule extends pulumi.dynamic.Resource {
  declare readonly ruleName: pulumi.Output<string>;
  declare readonly description: pulumi.Output<string>;
  declare readonly eventSource: pulumi.Output<string>;
  declare readonly eventTypes: pulumi.Output<string[]>;
  declare readonly level: pulumi.Output<Level>;
  declare readonly effectiveTime: pulumi.Output<EffectiveTime>;
  declare readonly enabled: pulumi.Output<boolean>;
  declare readonly webhookIds: pulumi.Output<string[]>;
  declare readonly contactMethods: pulumi.Output<string[]>;
  declare readonly region: pulumi.Output<string>;
  declare readonly adoptId: pulumi.Output<string | undefined>;

  constructor(name: string, args: EventRuleArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFromModule(__filename, "eventRuleProvider"),
      name,
      {
        contactMethods: undefined,
        region: undefined,
        description: undefined,
        eventTypes: undefined,
        effectiveTime: undefined,
        enabled: undefined,
        adoptId: undefined,
        ...args,
      },
      opts,
      "volcengine",
      "EventRule",
    );
  }
}
