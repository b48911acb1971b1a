/**
 * First script of a hosting frame: records what the element in the frame does (its events, and
 * the page's Content-Security-Policy violations) for the test page, before the element loads.
 */
import type { ErrorDetail } from '../../src/events.js';

export interface HostingRecord {
  events: Array<{ type: string; detail: unknown }>;
  errors: ErrorDetail[];
  violations: string[];
}

const record: HostingRecord = { events: [], errors: [], violations: [] };
for (const type of ['model-load', 'image-encode', 'mask-change', 'error']) {
  // Capture: `error` does not bubble.
  window.addEventListener(
    type,
    (event) => {
      if ((event.target as Element | null)?.localName !== 'sam2-segmenter') return;
      const detail = (event as CustomEvent).detail as unknown;
      record.events.push({ type, detail: type === 'mask-change' ? null : detail });
      if (type === 'error') record.errors.push(detail as ErrorDetail);
    },
    true,
  );
}
document.addEventListener('securitypolicyviolation', (event) => record.violations.push(`${event.effectiveDirective} ${event.blockedURI}`));
(window as unknown as { hostingRecord: HostingRecord }).hostingRecord = record;
