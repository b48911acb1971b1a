/**
 * The cache as a whole: naming entries, listing them (`Sam2Segmenter.cachedModels()`), clearing
 * them (`Sam2Segmenter.clearCache()`), and evicting a model's older versions.
 */
import type { ChunkStore } from './chunk-store.js';
import { ifAvailable, lockName, exclusive } from './locks.js';

/** The record every entry keeps about itself. */
export const RECORD = 'model.json';
export interface ModelRecord {
  name: string;
  key: string;
  /** Every file downloaded and verified. */
  complete: boolean;
  /**
   * Versions of one name replace each other only within a group (the folder the files come
   * from + their precision): two mirrors, or fp16 and fp32 of one preset, coexist.
   */
  group?: string;
}

/** What `Sam2Segmenter.cachedModels()` lists. */
export interface CachedModel {
  /** The manifest's `name`. */
  name: string;
  /** The manifest identity (URLs + sizes + hashes) the entry belongs to. */
  key: string;
  /** Bytes stored. */
  bytes: number;
  /** False for a download that was interrupted (it resumes from here). */
  complete: boolean;
}

/** A file-name-safe directory name for a manifest key (the key stays in the record). */
export function entryName(key: string): string {
  const safe = key.replace(/[^A-Za-z0-9._@-]/g, '_');
  return safe.length <= 120 ? safe : `${safe.slice(0, 100)}${safe.slice(-20)}`;
}

async function readRecord(store: ChunkStore, entry: string): Promise<ModelRecord | null> {
  try {
    const record = JSON.parse(new TextDecoder().decode(await store.read(entry, RECORD))) as ModelRecord;
    return typeof record?.name === 'string' && typeof record.key === 'string' ? record : null;
  } catch {
    return null;
  }
}

async function describe(store: ChunkStore, entry: string): Promise<CachedModel | null> {
  const record = await readRecord(store, entry);
  if (!record) return null;
  let bytes = 0;
  for (const size of (await store.list(entry)).values()) bytes += size;
  return { name: record.name, key: record.key, bytes, complete: record.complete };
}

export async function listCached(store: ChunkStore): Promise<CachedModel[]> {
  const models: CachedModel[] = [];
  for (const entry of await store.entries()) {
    const model = await describe(store, entry);
    if (model) models.push(model);
  }
  return models;
}

/**
 * Removes the entries whose name or key equals `match` (every entry when omitted), each once
 * no tab is using it. Returns what was removed.
 */
export async function clearCached(store: ChunkStore, match?: string): Promise<CachedModel[]> {
  const removed: CachedModel[] = [];
  for (const entry of await store.entries()) {
    const model = await describe(store, entry);
    if (match !== undefined && model?.name !== match && model?.key !== match) continue;
    await exclusive(lockName(entry), () => store.remove(entry));
    if (model) removed.push(model);
  }
  return removed;
}

/**
 * After a model is complete, older versions (same name, another identity, e.g. a changed hash)
 * are dead weight: remove those no other tab is reading right now.
 */
export async function evictOtherVersions(store: ChunkStore, name: string, keepEntry: string, group?: string): Promise<void> {
  for (const entry of await store.entries()) {
    if (entry === keepEntry) continue;
    const record = await readRecord(store, entry);
    const sameGroup = record?.group === undefined || group === undefined || record.group === group;
    if (record?.name === name && sameGroup) await ifAvailable(lockName(entry), () => store.remove(entry));
  }
}

/** The eviction group of a manifest: the folder of its encoder's first part, and its precision. */
export function versionGroup(manifest: { encoder: { parts: Array<{ url: string }> }; precision?: { encoder: string; decoder: string } }): string {
  const url = manifest.encoder.parts[0].url;
  const precision = manifest.precision ? `${manifest.precision.encoder}/${manifest.precision.decoder}` : '';
  return `${url.slice(0, url.lastIndexOf('/') + 1)}|${precision}`;
}
