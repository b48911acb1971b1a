import 'sam2-segmenter';
