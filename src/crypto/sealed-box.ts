// Sealing a key to a staff member's X25519 public key: libsodium's sealed box
// (crypto_box_seal: ephemeral X25519 + XSalsa20-Poly1305), anonymous to the sender.
import sodium from 'libsodium-wrappers';

await sodium.ready;

export type KeyPair = { publicKey: Buffer; privateKey: Buffer };

export function generateKeyPair(): KeyPair {
  const kp = sodium.crypto_box_keypair();
  return { publicKey: Buffer.from(kp.publicKey), privateKey: Buffer.from(kp.privateKey) };
}

/** Seals `message` so that only the holder of the private key of `publicKey` can open it. */
export function sealTo(publicKey: Buffer, message: Buffer): Buffer {
  return Buffer.from(sodium.crypto_box_seal(message, publicKey));
}

/** Opens a sealed box; throws when it was not sealed to this key pair or was altered. */
export function openSealed(keys: KeyPair, sealed: Buffer): Buffer {
  return Buffer.from(sodium.crypto_box_seal_open(sealed, keys.publicKey, keys.privateKey));
}

export function publicKeyOf(privateKey: Buffer): Buffer {
  return Buffer.from(sodium.crypto_scalarmult_base(privateKey));
}

/** The key pair whose seed is `seed` (32 bytes): the same seed always gives the same pair. */
export function keyPairFromSeed(seed: Buffer): KeyPair {
  const kp = sodium.crypto_box_seed_keypair(seed);
  return { publicKey: Buffer.from(kp.publicKey), privateKey: Buffer.from(kp.privateKey) };
}
