/**
 * Types for framework templates, derived from the element class and its event map so they can't
 * drift: what a template may set, and the `on<event-name>` handler props that React 19, Svelte 5
 * and Preact attach as listeners. frameworks/*.d.ts put them into each framework's element list.
 */
import type { Sam2SegmenterEventMap } from './events.js';
import type { Sam2Segmenter } from './sam2-segmenter.js';

type IfEquals<X, Y, A, B> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? A : B;
/** Keys of T that can be assigned (not getter-only, not readonly). */
type WritableKeys<T> = { [K in keyof T]-?: IfEquals<{ [Q in K]: T[K] }, { -readonly [Q in K]: T[K] }, K, never> }[keyof T];
/** The element's own public keys (not HTMLElement's or LitElement's). */
type OwnKeys = Exclude<keyof Sam2Segmenter, keyof HTMLElement | 'renderOptions' | 'hasUpdated' | 'isUpdatePending' | 'updateComplete'>;
type PropertyKeys = { [K in OwnKeys & WritableKeys<Sam2Segmenter>]: Sam2Segmenter[K] extends (...args: never[]) => unknown ? never : K }[OwnKeys &
  WritableKeys<Sam2Segmenter>];

/** The element's settable properties (`src`, `image`, `model`, `modelBase`, `threshold`, ...). */
export type Sam2SegmenterProperties = { [K in PropertyKeys]?: Sam2Segmenter[K] };

type Kebab<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `-${Lowercase<Head>}`}${Kebab<Tail>}`
  : S;
/**
 * The multi-word ones as attributes (`model-base`, `hover-preview`, ...); one-word names are the
 * same as the property.
 */
export type Sam2SegmenterAttributes = {
  [K in PropertyKeys as Kebab<K & string> extends K ? never : Kebab<K & string>]?: Sam2Segmenter[K] extends boolean ? boolean | '' : Sam2Segmenter[K] extends number ? number | string : Extract<Sam2Segmenter[K], string> | string;
};

/** `on<event-name>` listener props (React 19, Svelte 5, Preact): `onmask-change`, `onmodel-load`, ... */
export type Sam2SegmenterEventHandlers = {
  [K in keyof Sam2SegmenterEventMap as `on${K}`]?: (event: Sam2SegmenterEventMap[K]) => void;
};
