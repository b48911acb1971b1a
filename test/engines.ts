/**
 * Which engine runs the tests, and `onlyIn` for the few tests that check one engine's
 * behaviour: elsewhere they are skipped (mocha counts them as skipped) with the reason printed,
 * never silently.
 */
export type Engine = 'chromium' | 'firefox' | 'webkit';

export const ENGINE: Engine = /Firefox\//.test(navigator.userAgent) ? 'firefox' : /Chrom(e|ium)\//.test(navigator.userAgent) ? 'chromium' : 'webkit';

/** Call first in an `it(function () {...})`: skips the test in other engines, saying why. */
export function onlyIn(context: Mocha.Context, engines: Engine[], reason: string) {
  if (engines.includes(ENGINE)) return;
  console.log(`[${ENGINE}] skipped "${context.test?.fullTitle()}": ${reason}`);
  context.skip();
}
