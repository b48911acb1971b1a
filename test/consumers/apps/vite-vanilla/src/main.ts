// snippet:vite-main
import 'sam2-segmenter';
// /snippet
