import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

/**
 * A software WebAuthn authenticator: real P-256 keys from node:crypto, real
 * CBOR, real authenticator data and ES256 signatures, "none" attestation. It
 * answers the options our server sends as a browser and a platform
 * authenticator together would, and lets a test bend one thing at a time
 * (the origin the client data names, the RP id hashed, the flags, the
 * counter) to prove the server notices.
 */

/** One credential the authenticator holds (discoverable: it keeps the user handle). */
export interface HeldCredential {
  readonly id: string;
  readonly privateKey: KeyObject;
  readonly rpId: string;
  readonly userHandle: string;
  counter: number;
}

export interface AuthenticatorOptions {
  /** The origin the "browser" puts in the client data. */
  origin: string;
  /** Set the UV flag (the user verified with a PIN or biometric). Default true. */
  userVerified?: boolean;
  /** Backup eligible and backed up (a synced passkey). Default false. */
  backedUp?: boolean;
  /** How much the counter grows per use; 0 for an authenticator that keeps none. Default 1. */
  counterStep?: number;
}

/** What a test may bend in one answer. */
export interface Bend {
  origin?: string;
  rpId?: string;
  challenge?: string;
  type?: string;
  /** Sign (or register again) with this credential whatever the options allow or exclude. */
  credentialId?: string;
  /** Leave the user handle out of an assertion (as a non-discoverable flow may). */
  omitUserHandle?: boolean;
  userHandle?: string;
}

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

export class SoftwareAuthenticator {
  readonly credentials: HeldCredential[] = [];
  readonly aaguid = Buffer.alloc(16);

  constructor(readonly options: AuthenticatorOptions) {}

  /** `navigator.credentials.create()` on these options. */
  register(options: PublicKeyCredentialCreationOptionsJSON, bend: Bend = {}): RegistrationResponseJSON {
    const rpId = bend.rpId ?? options.rp.id ?? new URL(this.options.origin).hostname;
    const again = bend.credentialId ? this.credentials.find((c) => c.id === bend.credentialId) : undefined;
    const privateKey = again?.privateKey ?? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
    const cose = cbor(
      new Map<number, unknown>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const idBytes = again ? Buffer.from(again.id, 'base64url') : randomBytes(32);
    const credential: HeldCredential = again ?? {
      id: idBytes.toString('base64url'),
      privateKey,
      rpId,
      userHandle: options.user.id,
      counter: 0,
    };
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(idBytes.length);
    const authData = Buffer.concat([this.authDataHead(rpId, credential, FLAG_AT), this.aaguid, idLength, idBytes, cose]);
    const clientDataJSON = this.clientData(bend.type ?? 'webauthn.create', bend.challenge ?? options.challenge, bend.origin);
    const attestationObject = cbor(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    if (!again) this.credentials.push(credential);
    return answer(credential, {
      clientDataJSON: clientDataJSON.toString('base64url'),
      attestationObject: attestationObject.toString('base64url'),
      transports: ['internal'],
    });
  }

  /** `navigator.credentials.get()` on these options: the first allowed credential, else the first discoverable one. */
  assert(options: PublicKeyCredentialRequestOptionsJSON, bend: Bend = {}): AuthenticationResponseJSON {
    const allowed = options.allowCredentials?.map((c) => c.id) ?? [];
    const credential = bend.credentialId
      ? this.credentials.find((c) => c.id === bend.credentialId)
      : this.credentials.find((c) => (allowed.length === 0 || allowed.includes(c.id)) && c.rpId === (options.rpId ?? c.rpId));
    if (!credential) throw new Error('NotAllowedError: no credential for these options');
    const rpId = bend.rpId ?? options.rpId ?? credential.rpId;
    const authData = this.authDataHead(rpId, credential, 0);
    const clientDataJSON = this.clientData(bend.type ?? 'webauthn.get', bend.challenge ?? options.challenge, bend.origin);
    const signed = Buffer.concat([authData, createHash('sha256').update(clientDataJSON).digest()]);
    const signature = sign('sha256', signed, credential.privateKey);
    const userHandle = bend.omitUserHandle ? undefined : (bend.userHandle ?? credential.userHandle);
    return answer(credential, {
      clientDataJSON: clientDataJSON.toString('base64url'),
      authenticatorData: authData.toString('base64url'),
      signature: signature.toString('base64url'),
      ...(userHandle === undefined ? {} : { userHandle }),
    });
  }

  /** A copy of this authenticator's keys and counters (what cloning a device would give an attacker). */
  clone(): SoftwareAuthenticator {
    const copy = new SoftwareAuthenticator(this.options);
    for (const c of this.credentials)
      copy.credentials.push({ ...c, privateKey: createPrivateKey(c.privateKey.export({ format: 'pem', type: 'pkcs8' })) });
    return copy;
  }

  private authDataHead(rpId: string, credential: HeldCredential, extraFlags: number): Buffer {
    const { userVerified = true, backedUp = false, counterStep = 1 } = this.options;
    credential.counter += counterStep;
    const flags = FLAG_UP | (userVerified ? FLAG_UV : 0) | (backedUp ? FLAG_BE | FLAG_BS : 0) | extraFlags;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(credential.counter);
    return Buffer.concat([createHash('sha256').update(rpId).digest(), Buffer.from([flags]), counter]);
  }

  private clientData(type: string, challenge: string, origin = this.options.origin): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }
}

/** A credential's answer as `@simplewebauthn/browser` hands it to the server. */
function answer<R>(credential: HeldCredential, response: R) {
  return {
    id: credential.id,
    rawId: credential.id,
    type: 'public-key' as const,
    clientExtensionResults: {},
    authenticatorAttachment: 'platform' as const,
    response,
  };
}

/** The few CBOR shapes WebAuthn needs: unsigned and negative integers, byte and text strings, maps. */
function cbor(value: unknown): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  if (value instanceof Map) {
    const parts = [head(5, value.size)];
    for (const [k, v] of value) parts.push(cbor(k), cbor(v));
    return Buffer.concat(parts);
  }
  throw new Error(`cbor: cannot encode ${typeof value}`);
}

function head(major: number, n: number): Buffer {
  const m = major << 5;
  if (n < 24) return Buffer.from([m | n]);
  if (n < 0x100) return Buffer.from([m | 24, n]);
  if (n < 0x10000) return Buffer.from([m | 25, n >> 8, n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = m | 26;
  b.writeUInt32BE(n, 1);
  return b;
}
