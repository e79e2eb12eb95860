/** What the rest of the process may want to hear about as it happens (e.g. the console's worklist). */
export interface DeclarationLodged {
  type: 'declaration.lodged';
  declarationId: string;
  agencyId: string;
  reference: string;
  channel: string | null;
  score: number | null;
}

export type DomainEvent = DeclarationLodged;

/**
 * In-process publish/subscribe for events after their transaction committed. Listeners run
 * synchronously and must not throw; one that does is dropped rather than failing the publisher.
 * (Other processes sharing the database do not hear these: the exchange bus comes later.)
 */
export class DomainEvents {
  private readonly listeners = new Set<(e: DomainEvent) => void>();

  on(listener: (e: DomainEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: DomainEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
