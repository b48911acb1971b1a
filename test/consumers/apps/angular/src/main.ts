// snippet:angular-main
import { bootstrapApplication } from '@angular/platform-browser';
import { provideZonelessChangeDetection } from '@angular/core';
import { Sam2Segmenter } from 'sam2-segmenter';
import { AppComponent } from './app/app.component';

// Angular's esbuild builder does not emit files referenced as new URL(..., import.meta.url):
// angular.json copies the worker and runtime files to /sam2-segmenter/, and this says so.
Sam2Segmenter.basePath = '/sam2-segmenter/';

bootstrapApplication(AppComponent, { providers: [provideZonelessChangeDetection()] }).catch((error) => console.error(error));
// /snippet
