// snippet:vue-config
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  plugins: [
    // Vue compiles unknown tags as components unless told they are custom elements.
    vue({ template: { compilerOptions: { isCustomElement: (tag) => tag === 'sam2-segmenter' } } }),
  ],
});
// /snippet
