// Nothing specific to sam2-segmenter.
export default {};
