/**
 * `<div ${cssVars({'--_aspect': '4 / 3'})}>`: sets CSS custom properties through the CSSOM
 * (`style.setProperty`), never as a `style="..."` attribute, so a strict Content Security Policy
 * without `'unsafe-inline'` in `style-src` doesn't drop them. (Lit's `styleMap` writes the
 * attribute on the first render, which such a policy blocks.)
 */
import { noChange, nothing, type ElementPart } from 'lit';
import { Directive, PartType, directive, type PartInfo } from 'lit/directive.js';

export type CssVars = Record<`--${string}`, string | null | undefined>;

class CssVarsDirective extends Directive {
  private _previous = new Set<string>();

  constructor(partInfo: PartInfo) {
    super(partInfo);
    if (partInfo.type !== PartType.ELEMENT) throw new Error('cssVars() is an element directive: <div ${cssVars({...})}>');
  }

  render(_vars: CssVars) {
    return nothing;
  }

  override update(part: ElementPart, [vars]: [CssVars]) {
    const style = (part.element as HTMLElement).style;
    for (const name of this._previous) {
      if (vars[name as keyof CssVars] == null) style.removeProperty(name);
    }
    this._previous.clear();
    for (const [name, value] of Object.entries(vars)) {
      if (value == null) continue;
      if (style.getPropertyValue(name) !== value) style.setProperty(name, value);
      this._previous.add(name);
    }
    return noChange;
  }
}

export const cssVars = directive(CssVarsDirective);
