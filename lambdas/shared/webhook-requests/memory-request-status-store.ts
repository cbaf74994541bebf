/**
 * The status store in process memory, for the local stack and tests: the same transitions as
 * DynamoDB, copies in and out (no caller can change a stored record by accident), and expired
 * records dropped as DynamoDB's TTL would drop them.
 */

import {
  DESTINATION_GONE_TTL_SECONDS,
  type GoneDestination,
  type GoneDestinations,
} from './gone-destinations';
import {
  type ApprovalDecision,
  type ApprovalState,
  canTransition,
  DELIVERY_FINISHABLE,
  type DeliveryOutcome,
  type DeliveryUpdate,
  InvalidStatusTransitionError,
  type RequestError,
  type RequestStatus,
  type RequestStatusRecord,
  type RequestStatusStore,
  type StoredAnswer,
} from './request-status-store';

export class MemoryRequestStatusStore implements RequestStatusStore, GoneDestinations {
  private readonly records = new Map<string, RequestStatusRecord>();
  private readonly gone = new Map<string, GoneDestination & { expires_at: number }>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async create(record: RequestStatusRecord): Promise<void> {
    this.sweep();
    if (this.records.has(record.tracking_id)) {
      throw new InvalidStatusTransitionError(
        record.tracking_id,
        this.records.get(record.tracking_id)?.status,
        'queued',
      );
    }
    this.records.set(record.tracking_id, structuredClone(record));
  }

  async get(trackingId: string): Promise<RequestStatusRecord | undefined> {
    const record = this.live(trackingId);
    return record ? structuredClone(record) : undefined;
  }

  async startProcessing(trackingId: string, at: Date): Promise<RequestStatusRecord> {
    const record = this.move(trackingId, 'processing');
    const iso = at.toISOString();
    record.status = 'processing';
    record.started_at ??= iso;
    record.updated_at = iso;
    record.processing_attempts += 1;
    delete record.error;
    return structuredClone(record);
  }

  async saveResult(trackingId: string, result: StoredAnswer, at: Date): Promise<void> {
    const record = this.move(trackingId, 'result');
    record.result = structuredClone(result);
    record.updated_at = at.toISOString();
  }

  async startDelivery(trackingId: string, delivery: DeliveryOutcome, at: Date): Promise<void> {
    const record = this.move(trackingId, 'delivering');
    record.status = 'delivering';
    record.delivery = structuredClone(delivery);
    record.updated_at = at.toISOString();
  }

  async recordDelivery(trackingId: string, update: DeliveryUpdate, at: Date): Promise<void> {
    const record = this.live(trackingId);
    const { status } = update;
    if (
      !record ||
      (status && (!DELIVERY_FINISHABLE.has(record.status) || record.result === undefined))
    ) {
      throw new InvalidStatusTransitionError(trackingId, record?.status, status ?? 'result');
    }
    const iso = at.toISOString();
    if (update.attempt) {
      record.delivery_attempts = [...(record.delivery_attempts ?? []), { ...update.attempt }];
    }
    record.delivery = structuredClone(update.delivery);
    record.updated_at = iso;
    if (status) {
      record.status = status;
      record.finished_at = iso;
    }
  }

  async complete(trackingId: string, delivery: DeliveryOutcome, at: Date): Promise<void> {
    this.finish(trackingId, 'completed', at, { delivery });
  }

  async failDelivery(trackingId: string, delivery: DeliveryOutcome, at: Date): Promise<void> {
    this.finish(trackingId, 'delivery_failed', at, { delivery });
  }

  async fail(trackingId: string, error: RequestError, at: Date): Promise<void> {
    this.finish(trackingId, 'failed', at, { error });
  }

  async awaitApproval(trackingId: string, approval: ApprovalState, at: Date): Promise<void> {
    const record = this.move(trackingId, 'awaiting_approval');
    Object.assign(record, {
      status: 'awaiting_approval',
      approval: structuredClone(approval),
      updated_at: at.toISOString(),
    });
  }

  async decide(
    trackingId: string,
    decision: ApprovalDecision,
    at: Date,
  ): Promise<RequestStatusRecord> {
    const record = this.move(trackingId, 'decision');
    if (record.approval?.invocation_id !== decision.invocation_id || record.approval.decision) {
      throw new InvalidStatusTransitionError(trackingId, record.status, 'decision');
    }
    Object.assign(record.approval, decision);
    record.status = 'queued';
    record.updated_at = at.toISOString();
    return structuredClone(record);
  }

  private finish(
    trackingId: string,
    to: RequestStatus,
    at: Date,
    fields: Pick<RequestStatusRecord, 'delivery' | 'error'>,
  ): void {
    const record = this.move(trackingId, to);
    const iso = at.toISOString();
    Object.assign(record, structuredClone(fields), {
      status: to,
      finished_at: iso,
      updated_at: iso,
    });
  }

  async markDestinationGone(destination: string, at: Date): Promise<void> {
    const expires_at = Math.floor(at.getTime() / 1000) + DESTINATION_GONE_TTL_SECONDS;
    this.gone.set(destination, { destination, gone_at: at.toISOString(), expires_at });
  }

  async destinationGone(destination: string): Promise<GoneDestination | undefined> {
    const mark = this.gone.get(destination);
    if (!mark) return undefined;
    if (mark.expires_at * 1000 <= this.now()) {
      this.gone.delete(destination);
      return undefined;
    }
    return { destination: mark.destination, gone_at: mark.gone_at };
  }

  async clearDestinationGone(destination: string): Promise<void> {
    this.gone.delete(destination);
  }

  private move(trackingId: string, to: RequestStatus | 'result' | 'decision'): RequestStatusRecord {
    const record = this.live(trackingId);
    if (!record || !canTransition(record, to)) {
      throw new InvalidStatusTransitionError(trackingId, record?.status, to);
    }
    return record;
  }

  private live(trackingId: string): RequestStatusRecord | undefined {
    const record = this.records.get(trackingId);
    if (record && record.expires_at * 1000 <= this.now()) {
      this.records.delete(trackingId);
      return undefined;
    }
    return record;
  }

  /** Drops expired records, at most once a minute, so a long-running local stack stays small. */
  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [id, record] of this.records) {
      if (record.expires_at * 1000 <= now) this.records.delete(id);
    }
  }
}
