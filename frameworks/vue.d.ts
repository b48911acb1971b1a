/**
 * `<sam2-segmenter>` in Vue templates (vue-tsc / Volar): `import type {} from 'sam2-segmenter/vue';`
 * once in the app. Properties and attributes are props; `@mask-change`, `@model-load`, ... are
 * typed events. (Vue itself still needs `compilerOptions.isCustomElement` for the tag.)
 */
import type { DefineComponent } from 'vue';
import type { Sam2SegmenterAttributes, Sam2SegmenterEventMap, Sam2SegmenterProperties } from '../dist/types/index.js';

type Pascal<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Capitalize<Head>}${Pascal<Tail>}` : Capitalize<S>;
/** `@mask-change="..."` is the `onMaskChange` prop to Vue's type checker. */
export type Sam2SegmenterVueEvents = {
  [K in keyof Sam2SegmenterEventMap as `on${Pascal<K>}`]?: (event: Sam2SegmenterEventMap[K]) => void;
};

declare module 'vue' {
  interface GlobalComponents {
    'sam2-segmenter': DefineComponent<Sam2SegmenterProperties & Sam2SegmenterAttributes & Sam2SegmenterVueEvents>;
  }
}
