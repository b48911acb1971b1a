import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The React plugin only: sam2-segmenter needs no configuration.
export default defineConfig({ plugins: [react()] });
