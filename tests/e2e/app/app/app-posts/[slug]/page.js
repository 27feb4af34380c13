// App Router ISR page: static for BUILD_SLUGS, generated on first request for the others,
// never revalidated by time, only on demand; notFound() once the post is deleted.
import { notFound } from 'next/navigation';
import { BUILD_SLUGS, readPost } from '../../../lib/content';

export const revalidate = false;
export const dynamicParams = true;

export function generateStaticParams() {
  return BUILD_SLUGS.map((slug) => ({ slug }));
}

// params is a promise on 16 and a plain object on 13; await handles both.
export async function generateMetadata({ params }) {
  const { slug } = await params;
  const post = readPost(slug);
  return { title: post ? post.title : 'Not found' };
}

export default async function AppPost({ params }) {
  const { slug } = await params;
  const post = readPost(slug);
  if (!post) {
    notFound();
  }
  const generatedAt = new Date().toISOString();
  return (
    <main>
      <h1 id="title">{post.title}</h1>
      <article id="body">
        <p>{post.body}</p>
      </article>
      <p id="meta">
        slug <code id="slug">{slug}</code>, generated at{' '}
        <time id="generated-at" dateTime={generatedAt}>
          {generatedAt}
        </time>
      </p>
    </main>
  );
}
