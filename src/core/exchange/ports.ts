/**
 * What the exchange with partner administrations needs from the outside world: the node's signing
 * keys and the transports. Implemented in src/exchange (jose, node:crypto, HTTP, NATS JetStream);
 * use cases see only these types.
 */

/** An administration's id on the exchange: ISO 3166-1 alpha-2 country, '/', a code (`BY/GTK`). */
export const NODE_ID_PATTERN = /^[A-Z]{2}\/[A-Z0-9][A-Z0-9-]{0,15}$/;

/** A public Ed25519 key as it is published in the directory. */
export interface PublishedKey {
  /** RFC 7638 JWK thumbprint (SHA-256, base64url) of `jwk`: the JWS `kid`. */
  kid: string;
  /** `{ kty: 'OKP', crv: 'Ed25519', x }` */
  jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string };
  /** ISO 8601; the key signs and verifies messages created in [validFrom, validTo). */
  validFrom: string;
  /** null: until rotated out. */
  validTo: string | null;
}

/** The node's own keys: signs with the key current at the time given. */
export interface EnvelopeSigner {
  /**
   * Compact JWS (EdDSA) over exactly these payload bytes, with the key current at `at` — or, with
   * `established`, the oldest key valid at `at`: a directory update announcing a new key is
   * signed with the key partners already trust, so that they can accept the new one.
   */
  sign(payload: Uint8Array, at: Date, options?: { established?: boolean }): Promise<string>;
  /**
   * A new key, current from `now`; the previous one stays valid for `overlapHours` (messages
   * signed before and in flight still verify). Absent where keys cannot be rotated.
   */
  rotate?(now: Date, overlapHours: number): Promise<PublishedKey>;
  /** Every own key (public part), retired ones included, for the directory entry. */
  publicKeys(): PublishedKey[];
}

/** A compact JWS split into its parts, not yet verified. */
export interface DecodedJws {
  header: { alg: string; kid?: string; typ?: string; [k: string]: unknown };
  payload: Uint8Array;
}

export interface JwsVerifier {
  /** Splits a compact JWS without verifying it; throws when it is not one. */
  decode(jws: string): DecodedJws;
  /** Verifies the compact JWS with the key; the payload bytes, or throws. */
  verify(jws: string, key: PublishedKey['jwk']): Promise<Uint8Array>;
}

/** Where a partner is reached. */
export interface PartnerAddress {
  nodeId: string;
  /** Base URL of the partner's node (`https://…`); its inbox is `POST {url}/exchange/v1/messages`. */
  httpEndpoint: string | null;
  /** True when the partner is reached over the shared NATS system. */
  nats: boolean;
}

/** One binding of the envelope to a wire. */
export interface Transport {
  readonly binding: 'http' | 'nats';
  /**
   * Hands one signed message (compact JWS) to the partner and resolves with the partner's signed
   * receipt (compact JWS). Rejects when it was not delivered (the sender retries later with the
   * same bytes; the receiver answers a repeat with the stored receipt).
   */
  deliver(to: PartnerAddress, messageId: string, jws: string): Promise<string>;
}

/** The receiving side: takes a compact JWS, answers with a signed receipt (compact JWS). */
export type InboxHandler = (jws: string) => Promise<string>;
