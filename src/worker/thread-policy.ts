/**
 * Trusted Types inside the worker. When the worker script is served with
 * `require-trusted-types-for 'script'` (or inherits it, as a blob: worker does), onnxruntime's
 * Emscripten glue can't start its thread workers: it calls `new Worker(new URL(import.meta.url))`
 * with a plain URL, which the browser then refuses. A default policy in this worker's own scope
 * (the page's policies are untouched) lets exactly those through: this script's own URL, and the
 * same-origin blob: URL onnxruntime makes of its glue when this worker runs from a blob:.
 */
interface TrustedTypesInWorker {
  defaultPolicy: unknown;
  createPolicy(name: string, rules: { createScriptURL(url: string): string }): unknown;
}

/** Idempotent; a page whose `trusted-types` directive doesn't allow `default` keeps 1 thread-less error. */
export function allowOwnThreadWorkers() {
  const factory = (self as unknown as { trustedTypes?: TrustedTypesInWorker }).trustedTypes;
  if (!factory || factory.defaultPolicy) return;
  const withoutFragment = (url: string) => url.replace(/#.*$/, '');
  const own = withoutFragment(new URL(import.meta.url).href);
  try {
    factory.createPolicy('default', {
      createScriptURL(url) {
        const absolute = new URL(url, self.location.href);
        if (withoutFragment(absolute.href) === own) return url;
        if (absolute.protocol === 'blob:' && new URL(absolute.pathname).origin === self.location.origin) return url;
        throw new TypeError(`sam2-segmenter worker: not one of its own thread scripts: ${url}`);
      },
    });
  } catch {
    // The policy name is not allowed: onnxruntime's start-up error then says what was refused.
  }
}
