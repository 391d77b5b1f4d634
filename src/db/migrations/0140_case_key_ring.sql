-- A staff member's key ring (src/cases/key-ring.ts): each case key they hold, wrapped once more under
-- a key derived from their own private key, so that a search opens it with ChaCha20-Poly1305 instead
-- of an X25519 operation. Ciphertext, written by the first search that opens the sealed box; null
-- until then. Its associated data names the row and the box it copies: a stale entry does not open.
alter table case_key add column ring_key bytea;
