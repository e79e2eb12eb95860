import type { PartnerAddress, Transport } from '../core/exchange/ports.js';

/** Path of a node's inbox under its base URL. */
export const INBOX_PATH = '/exchange/v1/messages';

/**
 * The HTTP binding: `POST {endpoint}/exchange/v1/messages` with the compact JWS as the body
 * (`application/jose`); the answer is the receiver's signed receipt, 200 when accepted and 422
 * when refused. Anything else (no answer, 5xx, a body that is not a receipt) is a failed attempt.
 */
export function httpTransport(options: { timeoutMs?: number } = {}): Transport {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    binding: 'http',
    async deliver(to: PartnerAddress, messageId: string, jws: string): Promise<string> {
      if (!to.httpEndpoint) throw new Error(`${to.nodeId} has no HTTP endpoint`);
      const response = await fetch(`${to.httpEndpoint}${INBOX_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/jose', 'greenlane-message-id': messageId },
        body: jws,
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      const type = response.headers.get('content-type') ?? '';
      const body = await response.text();
      if (
        (response.status === 200 || response.status === 422) &&
        type.startsWith('application/jose')
      )
        return body.trim();
      throw new Error(`${to.nodeId} answered ${response.status}: ${body.slice(0, 200)}`);
    },
  };
}
