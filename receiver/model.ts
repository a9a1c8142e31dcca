// Shapes shared by the parsers, the spool and the forwarder.

/** Flashduty standard alert severities plus recovery (flashduty-api.md §5; case-sensitive). */
export type EventStatus = "Critical" | "Warning" | "Info" | "Ok";

/** The body POSTed to Flashduty's standard alert push endpoint. */
export interface FlashdutyAlertBody {
  event_status: EventStatus;
  alert_key: string;
  title_rule: string;
  description: string;
  labels: Record<string, string>;
  /**
   * When the event happened, in integer epoch seconds (the older standard-alert doc's optional
   * `event_time`; without it Flashduty uses its own current time). Set on every event the receiver
   * maps; absent only in records spooled by a receiver older than this field.
   */
  event_time?: number;
}

/** Which receiver endpoint an event came in on. */
export type CloudSource = "aliyun" | "volcengine";

/** One event a parser produced, already mapped onto Flashduty's body. */
export interface MappedEvent {
  format: string;
  body: FlashdutyAlertBody;
}

/** A parsed request body: JSON value, or form fields (first value per name). */
export type ParsedBody =
  { kind: "json"; value: unknown } | { kind: "form"; fields: Record<string, string> };

/** What a format module returns: `null` when the body is not this format. */
export type FormatParser = (body: ParsedBody) => MappedEvent[] | null;

/** Thrown by a parser that recognised its format but found it unusable (→ 422 with the message). */
export class UnmappableEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnmappableEventError";
  }
}
