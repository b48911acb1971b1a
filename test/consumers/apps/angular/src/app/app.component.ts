// snippet:angular
import { CUSTOM_ELEMENTS_SCHEMA, Component, signal } from '@angular/core';
import 'sam2-segmenter';
import type { MaskChangeDetail } from 'sam2-segmenter';

@Component({
  selector: 'app-root',
  // Lets Angular's template compiler accept <sam2-segmenter> and its properties.
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <sam2-segmenter
      model="/fixtures/colour.manifest.json"
      [src]="src"
      loading="eager"
      (model-load)="status.set('loaded')"
      (mask-change)="onMaskChange($event)"
    ></sam2-segmenter>
    <output id="model-status">{{ status() }}</output>
    <output id="mask-area">{{ area() }}</output>
  `,
})
export class AppComponent {
  src = '/fixtures/scene.png';
  status = signal('loading');
  area = signal<number | null>(null);

  onMaskChange(event: Event) {
    this.area.set((event as CustomEvent<MaskChangeDetail>).detail.area);
  }
}
// /snippet
