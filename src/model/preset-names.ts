/** The built-in model names (`model="tiny"` ...): presets.ts says what each one loads. */
export const MODEL_PRESETS = ['tiny', 'small', 'base-plus', 'large', 'edgetam'] as const;
export type ModelPreset = (typeof MODEL_PRESETS)[number];

export const isPreset = (value: string): value is ModelPreset => (MODEL_PRESETS as readonly string[]).includes(value);
