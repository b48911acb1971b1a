/** Helpers of the hosting tests: frames (own element, own workers), waiting, the server's request counts. */
import type { HostingFrameApi } from './frame.js';
import type { HostingRecord } from './recorder.js';

export interface HostingFrame {
  frame: HTMLIFrameElement;
  api: HostingFrameApi;
  record: HostingRecord;
}

const frames: HTMLIFrameElement[] = [];

/** Opens a hosting frame (frame.html or a variant, possibly under /__csp/<policy>/) and waits until it is set up. */
export async function openFrame(src: string): Promise<HostingFrame> {
  const frame = document.createElement('iframe');
  frame.src = src;
  frame.style.cssText = 'width: 420px; height: 300px; border: 0';
  const ready = new Promise<void>((resolve) => {
    const onMessage = (event: MessageEvent) => {
      if (event.source !== frame.contentWindow || event.data !== 'sam2-hosting-frame-ready') return;
      window.removeEventListener('message', onMessage);
      resolve();
    };
    window.addEventListener('message', onMessage);
  });
  frames.push(frame);
  document.body.append(frame);
  await ready;
  const win = frame.contentWindow as unknown as { hostingFrame: HostingFrameApi; hostingRecord: HostingRecord };
  return { frame, api: win.hostingFrame, record: win.hostingRecord };
}

export function closeFrames() {
  for (const frame of frames.splice(0)) frame.remove();
}

/** Polls `check` until it returns a value other than undefined/false. */
export async function until<T>(check: () => T | undefined | false, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Requests per path the test server has seen since the last reset. */
export async function requestCounts(): Promise<Record<string, number>> {
  return (await fetch('/__requests')).json();
}

export async function resetRequestCounts() {
  await fetch('/__requests', { method: 'DELETE' });
}
