import { Segmenter } from './Segmenter';

// A server component: the page is rendered on the server, <sam2-segmenter> upgrades after hydration.
export default function Page() {
  return (
    <main>
      <h1>sam2-segmenter in Next.js</h1>
      <Segmenter src="/fixtures/scene.png" />
    </main>
  );
}
