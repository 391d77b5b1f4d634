// Sealing a key to a staff member's X25519 public key: libsodium's sealed box
// (crypto_box_seal: ephemeral X25519 + XSalsa20-Poly1305), anonymous to the sender. Through
// sodium-native (libsodium itself, prebuilt): opening costs ~38 µs, against ~88 µs for the
// WebAssembly build, which is what a search over thousands of cases spends its time on.
import sodium from 'sodium-native';

export type KeyPair = { publicKey: Buffer; privateKey: Buffer };

export function generateKeyPair(): KeyPair {
  const publicKey = Buffer.alloc(sodium.crypto_box_PUBLICKEYBYTES);
  const privateKey = Buffer.alloc(sodium.crypto_box_SECRETKEYBYTES);
  sodium.crypto_box_keypair(publicKey, privateKey);
  return { publicKey, privateKey };
}

/** The key pair whose seed is `seed` (32 bytes): the same seed always gives the same pair. */
export function keyPairFromSeed(seed: Buffer): KeyPair {
  const publicKey = Buffer.alloc(sodium.crypto_box_PUBLICKEYBYTES);
  const privateKey = Buffer.alloc(sodium.crypto_box_SECRETKEYBYTES);
  sodium.crypto_box_seed_keypair(publicKey, privateKey, seed);
  return { publicKey, privateKey };
}

/** Seals `message` so that only the holder of the private key of `publicKey` can open it. */
export function sealTo(publicKey: Buffer, message: Buffer): Buffer {
  const out = Buffer.alloc(message.length + sodium.crypto_box_SEALBYTES);
  sodium.crypto_box_seal(out, message, publicKey);
  return out;
}

/** Opens a sealed box; throws when it was not sealed to this key pair or was altered. */
export function openSealed(keys: KeyPair, sealed: Buffer): Buffer {
  if (sealed.length < sodium.crypto_box_SEALBYTES) throw new Error('sealed box too short');
  const out = Buffer.alloc(sealed.length - sodium.crypto_box_SEALBYTES);
  if (!sodium.crypto_box_seal_open(out, sealed, keys.publicKey, keys.privateKey))
    throw new Error('sealed box does not open with this key pair');
  return out;
}

export function publicKeyOf(privateKey: Buffer): Buffer {
  const out = Buffer.alloc(sodium.crypto_scalarmult_BYTES);
  sodium.crypto_scalarmult_base(out, privateKey);
  return out;
}
