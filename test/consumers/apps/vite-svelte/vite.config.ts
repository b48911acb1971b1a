import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The Svelte plugin only: sam2-segmenter needs no configuration.
export default defineConfig({ plugins: [svelte()] });
