import { fileURLToPath } from 'node:url';
import CopyPlugin from 'copy-webpack-plugin';
import HtmlWebpackPlugin from 'html-webpack-plugin';

// A plain webpack 5 set-up (an HTML page, a static folder): nothing specific to sam2-segmenter.
export default {
  mode: 'production',
  entry: './src/index.js',
  output: { path: fileURLToPath(new URL('./dist/', import.meta.url)), clean: true },
  plugins: [new HtmlWebpackPlugin({ template: './src/index.html' }), new CopyPlugin({ patterns: [{ from: 'public' }] })],
  performance: { hints: false },
};
