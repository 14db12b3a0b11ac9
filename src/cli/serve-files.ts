/**
 * The files `serve` reads at start: the TLS certificate and key, and the token file. Each is read only when
 * it is a regular file, bounded, and a refusal names the option, the file and the reason on one line (exit
 * status 2) instead of OpenSSL's "error:0480006C:PEM routines::no start line", which names neither.
 */
import { statSync } from 'node:fs';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { FileInputError, UsageError } from '../core/errors.js';
import { readRegularFileSync } from '../core/regular-file.js';
import { escapeControls } from '../core/safe-text.js';
import { validateToken } from '../relay/auth.js';

/** A certificate chain or key is a few KiB; a file far larger is not one. */
const MAX_PEM_BYTES = 1024 * 1024;
/** A token is at most 512 characters; room for a comment and line ends. */
const MAX_TOKEN_FILE_BYTES = 4096;

/** Read an input file that must be a regular file (a FIFO or a device is refused at once), bounded. */
function readInputFile(option: string, path: string, maxBytes: number): Buffer {
  try {
    return readRegularFileSync(path, { maxBytes, what: option });
  } catch (err) {
    throw new UsageError(escapeControls(err instanceof FileInputError ? err.message : `cannot read ${option} ${path}: ${err instanceof Error ? err.message : String(err)}`));
  }
}

/** OpenSSL's reason alone ("no start line"), never the bytes it failed on (it quotes none, but keep it short). */
function opensslReason(err: unknown): string {
  const reason = (err as { reason?: unknown }).reason;
  if (typeof reason === 'string' && reason !== '') return reason;
  return (err instanceof Error ? err.message : String(err)).split(':').pop()!.trim();
}

/** Read and check --tls-cert and --tls-key: a PEM certificate, a PEM private key, and the key of that certificate. */
export function readTlsPair(certPath: string, keyPath: string): { cert: Buffer; key: Buffer } {
  const cert = readInputFile('--tls-cert', certPath, MAX_PEM_BYTES);
  const key = readInputFile('--tls-key', keyPath, MAX_PEM_BYTES);
  const [c, k] = [escapeControls(certPath), escapeControls(keyPath)];
  let x509: X509Certificate;
  let keyObject: KeyObject;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new UsageError(`--tls-cert ${c} is not a PEM certificate (OpenSSL: ${opensslReason(err)})`);
  }
  try {
    keyObject = createPrivateKey(key);
  } catch (err) {
    throw new UsageError(`--tls-key ${k} is not a PEM private key without a passphrase (OpenSSL: ${opensslReason(err)})`);
  }
  if (!x509.checkPrivateKey(keyObject)) throw new UsageError(`--tls-key ${k} is not the private key of the certificate in --tls-cert ${c}`);
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new UsageError(`--tls-cert ${c} and --tls-key ${k} are refused by OpenSSL (${opensslReason(err)})`);
  }
  return { cert, key };
}

/** Read --token-file: a regular file holding one token; a bad token names the file. */
export function readToken(path: string, warn: (line: string) => void): string {
  const text = readInputFile('--token-file', path, MAX_TOKEN_FILE_BYTES).toString('utf8');
  let token: string;
  try {
    token = validateToken(text);
  } catch (err) {
    throw new UsageError(`--token-file ${escapeControls(path)}: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Only a file that holds a token is worth a warning about who else can read it.
  try {
    if ((statSync(path).mode & 0o077) !== 0) warn(`warning: ${escapeControls(path)} is readable by other users (chmod 600 it)`);
  } catch {
    // It was just read; a mode that cannot be seen is not worth a warning.
  }
  return token;
}
