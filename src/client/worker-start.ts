/**
 * Starting the inference worker: same-origin directly, cross-origin (the CDN case) through a
 * blob: module, with a Trusted Types policy when the page enforces them; and, when a worker fails
 * to start, finding out why (the URL answered 404, or HTML, or the script threw).
 */
import { Sam2Error } from '../errors.js';
import { WORKER_NAME } from '../worker/protocol.js';
import type { WorkerAssets } from './assets.js';

// Trusted Types are not in TypeScript's DOM lib yet: the little we use.
interface TrustedScriptUrlPolicy {
  createScriptURL(url: string): unknown;
}
interface TrustedTypesFactory {
  createPolicy(name: string, rules: { createScriptURL(url: string): string }): TrustedScriptUrlPolicy;
}

/** The Trusted Types policy name a page with a `trusted-types` allow-list must list. */
export const TRUSTED_TYPES_POLICY = 'sam2-segmenter';

/** Script URLs this module built itself: the only ones the policy lets through. */
const ownScriptUrls = new Set<string>();
let policy: TrustedScriptUrlPolicy | null | undefined;

/**
 * Under `require-trusted-types-for 'script'` a Worker only takes a TrustedScriptURL. The policy
 * passes nothing but the worker URLs computed here. A page whose `trusted-types` directive doesn't
 * allow the name gets plain strings (and, if it enforces Trusted Types, a start-up error that
 * says which name to allow).
 */
function scriptUrl(url: string): string {
  ownScriptUrls.add(url);
  if (policy === undefined) {
    const factory = (globalThis as { trustedTypes?: TrustedTypesFactory }).trustedTypes;
    try {
      policy = factory?.createPolicy(TRUSTED_TYPES_POLICY, {
        createScriptURL: (value) => {
          if (!ownScriptUrls.has(value)) throw new TypeError(`${TRUSTED_TYPES_POLICY}: not a worker URL of this package: ${value}`);
          return value;
        },
      }) ?? null;
    } catch {
      policy = null;
    }
  }
  // A TrustedScriptURL is accepted wherever the string is; typed as the string the DOM lib expects.
  return (policy ? policy.createScriptURL(url) : url) as string;
}

/**
 * The worker URL carries where onnxruntime's files are (`#wasm=...&glue=...`): a bundler renames
 * them, so the worker can't find them next to itself. The fragment never reaches the server.
 */
function withRuntime(url: string, assets: WorkerAssets): string {
  return `${url}#${new URLSearchParams({ wasm: assets.wasm.href, glue: assets.glue.href })}`;
}

export interface StartedWorker {
  worker: Worker;
  /** Revokes the blob: bootstrap, if one was made. */
  dispose(): void;
}

/**
 * A cross-origin script (the CDN case) may not start a worker from its own URL: the browser
 * throws a SecurityError. A same-origin blob: module that imports the absolute URL is allowed.
 * Throws a `worker-crashed` Sam2Error (not recoverable) when the browser refuses to construct it.
 */
export function startWorker(assets: WorkerAssets): StartedWorker {
  const url = assets.worker;
  const options: WorkerOptions = { type: 'module', name: WORKER_NAME };
  let blobUrl: string | null = null;
  try {
    if (url.origin === self.location.origin) {
      return { worker: new Worker(scriptUrl(withRuntime(url.href, assets)), options), dispose() {} };
    }
    const bootstrap = new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' });
    blobUrl = URL.createObjectURL(bootstrap);
    const worker = new Worker(scriptUrl(withRuntime(blobUrl, assets)), options);
    const revoke = blobUrl;
    return { worker, dispose: () => URL.revokeObjectURL(revoke) };
  } catch (cause) {
    if (blobUrl) URL.revokeObjectURL(blobUrl);
    throw new Sam2Error('worker-crashed', refusalMessage(url, blobUrl !== null, cause), { cause, recoverable: false });
  }
}

function refusalMessage(url: URL, viaBlob: boolean, cause: unknown): string {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const start = `The inference worker ${url.href} could not be started`;
  if (/TrustedScriptURL|Trusted ?Type/i.test(reason)) {
    return `${start}: the page enforces Trusted Types and the policy "${TRUSTED_TYPES_POLICY}" could not be created (list it in the trusted-types directive of the Content-Security-Policy). ${reason}`;
  }
  if (/Content Security Policy|Content-Security-Policy/i.test(reason)) {
    const source = viaBlob ? 'blob:' : url.origin;
    return `${start}: the page's Content-Security-Policy does not allow it (add ${source} to worker-src or script-src). ${reason}`;
  }
  return `${start}: ${reason}`;
}

const JAVASCRIPT = /^(text|application)\/(javascript|ecmascript|x-javascript)\b/i;

/**
 * Why a worker failed before saying anything: asks for its script again and reads the answer.
 * Returns a description of the fault ("answered HTTP 404", "was served as text/html ..."), or
 * null when the script is there and is JavaScript (it threw, or the network failed once).
 */
export async function diagnoseStartFailure(url: URL): Promise<string | null> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
  } catch (cause) {
    return `could not be fetched (${cause instanceof Error ? cause.message : String(cause)}; a cross-origin host must send CORS headers)`;
  }
  void response.body?.cancel().catch(() => {});
  if (!response.ok) return `answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  const type = response.headers.get('Content-Type') ?? '';
  if (!JAVASCRIPT.test(type)) {
    const html = /html/i.test(type) ? ' (an HTML page: a server fallback answers for a missing file)' : '';
    return `was served as ${type || 'no Content-Type'}, not JavaScript${html}`;
  }
  return null;
}
